// `triptyque serve` as a user runs it: it says where it listens and what it serves, answers
// over HTTP, and on SIGTERM finishes, flushes the ledger and exits 0; `triptyque report`
// then reads that ledger.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "server_fixture.h"
#include "support/run.h"

namespace tq {
namespace {

TEST(ServeCli, ServesThenStopsGracefullyAndReportReadsTheLedger) {
  TQ_REQUIRE_PATH(test::gold_model("stories260K.gguf"));
  const auto dir = test::scratch_dir("serve_cli");
  const std::string ledger = (dir / "ledger.sqlite").string();
  std::filesystem::remove(ledger);
  int err_pipe[2];
  ASSERT_EQ(pipe(err_pipe), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(err_pipe[1], STDERR_FILENO);
    close(err_pipe[0]);
    execl(test::cli_path().c_str(), "triptyque", "serve", "-m",
          test::gold_model("stories260K.gguf").c_str(), "--port", "0", "--ledger", ledger.c_str(),
          "-t", "1", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(err_pipe[1]);
  std::string err;
  std::smatch m;
  const std::regex listening("listening on http://127\\.0\\.0\\.1:(\\d+)/v1");
  char buf[1024];
  while (!std::regex_search(err, m, listening) ||
         err.find("provider local-cli") == std::string::npos) {
    const ssize_t n = read(err_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    err.append(buf, static_cast<size_t>(n));
  }
  ASSERT_TRUE(std::regex_search(err, m, listening)) << err;
  EXPECT_NE(err.find("model stories260K"), std::string::npos) << err;
  const int port = std::stoi(m[1]);

  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(60, 0);
  const nlohmann::json body = {{"model", "stories260K"},
                               {"prompt", "Once upon a time"},
                               {"max_tokens", 8},
                               {"temperature", 0}};
  for (int i = 0; i < 3; ++i) {
    auto r = c.Post("/v1/completions", body.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  while (true) {
    const ssize_t n = read(err_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    err.append(buf, static_cast<size_t>(n));
  }
  close(err_pipe[0]);
  ASSERT_TRUE(WIFEXITED(status)) << err;
  EXPECT_EQ(WEXITSTATUS(status), 0) << err;
  EXPECT_NE(err.find("SIGTERM received"), std::string::npos) << err;
  EXPECT_NE(err.find("3 records"), std::string::npos) << err;

  const auto rep = test::run({test::cli_path(), "report", "--ledger", ledger, "--json"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const auto j = nlohmann::json::parse(rep.out);
  ASSERT_EQ(j["rows"].size(), 1u) << rep.out;
  EXPECT_EQ(j["rows"][0]["calls"], 3);
  EXPECT_EQ(j["rows"][0]["completion_tokens"], 24);
  EXPECT_EQ(j["rows"][0]["model"], "stories260K");
  EXPECT_EQ(j["rows"][0]["local"], true);
  // The CPU time the engine measured, at the default 10 W per busy core.
  const double cpu_ms = j["rows"][0]["cpu_ms"].get<double>();
  EXPECT_GT(cpu_ms, 0);
  const double wh = cpu_ms / 1000 * 10 / 3600;
  EXPECT_NEAR(j["rows"][0]["energy_wh"].get<double>(), wh, wh * 1e-9);
  EXPECT_GT(j["rows"][0]["wh_per_mtok"].get<double>(), 0);
}

TEST(ServeCli, ReportErrorsSayHowToFix) {
  const auto r = test::run({test::cli_path(), "report", "--ledger", "/nonexistent/l.sqlite"});
  EXPECT_EQ(r.exit_code, 2);  // CLI11's ExistingFile check
  const auto s = test::run({test::cli_path(), "serve"});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("--config"), std::string::npos) << s.err;
}

}  // namespace
}  // namespace tq
