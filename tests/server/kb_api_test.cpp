// /v1/kb/* through the real `triptyque serve --config`: a key limited to `public` never
// sees a confidential chunk (hits, snippets, citations), documents are added, replaced
// and deleted by keys that may write, and every refusal is an OpenAI-shaped error.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "server/auth.h"
#include "support/gold.h"
#include "support/run.h"

namespace tq {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class KbServer {
 public:
  explicit KbServer(const fs::path& config) {
    int err_pipe[2];
    if (pipe(err_pipe) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(err_pipe[1], STDERR_FILENO);
      close(err_pipe[0]);
      execl(test::cli_path().c_str(), "triptyque", "serve", "--config", config.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(err_pipe[1]);
    err_fd_ = err_pipe[0];
    const std::string marker = "listening on http://127.0.0.1:";
    char buf[512];
    while (err_.find("/v1",
                     err_.find(marker) == std::string::npos ? err_.size() : err_.find(marker)) ==
           std::string::npos) {
      const ssize_t n = read(err_fd_, buf, sizeof buf);
      if (n <= 0) return;
      err_.append(buf, static_cast<size_t>(n));
    }
    port_ = std::stoi(err_.substr(err_.find(marker) + marker.size()));
  }
  ~KbServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (err_fd_ >= 0) close(err_fd_);
  }
  int port() const { return port_; }
  const std::string& err() const { return err_; }

  // Sends `body` to `path` with `key`; returns (status, parsed body).
  std::pair<int, json> call(const std::string& method, const std::string& path, const json& body,
                            const std::string& key) const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    httplib::Headers headers;
    if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
    auto r = method == "DELETE" ? c.Delete(path, headers, body.dump(), "application/json")
                                : c.Post(path, headers, body.dump(), "application/json");
    if (!r) return {0, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }

 private:
  pid_t pid_ = -1;
  int err_fd_ = -1;
  int port_ = 0;
  std::string err_;
};

void write_file(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary);
  f << s;
}

void expect_openai_error(const json& body, const std::string& what) {
  ASSERT_TRUE(body.is_object()) << what;
  ASSERT_TRUE(body.contains("error")) << what << ": " << body.dump();
  EXPECT_TRUE(body["error"]["message"].is_string()) << what;
  EXPECT_TRUE(body["error"].contains("type")) << what;
  EXPECT_TRUE(body["error"].contains("code")) << what;
}

TEST(KbApi, KeysSeeOnlyTheirLabelsAndWriteOnlyWhereAllowed) {
  const auto dir = test::scratch_dir("kb_api");
  fs::remove_all(dir / "docs");
  fs::create_directories(dir / "docs" / "faq");
  fs::create_directories(dir / "docs" / "rh");
  for (const char* f : {"kb.sqlite", "kb.sqlite-wal", "kb.sqlite-shm", "ledger.sqlite"}) {
    fs::remove(dir / f);
  }
  const std::string kb = (dir / "kb.sqlite").string();
  write_file(dir / "docs" / "faq" / "salaires.md",
             "# Rémunération\n\n## Grille\n\nLe salaire moyen de l'entreprise est publié chaque "
             "année dans le rapport social.\n");
  write_file(dir / "docs" / "rh" / "paie.md",
             "# Paie\n\nLe salaire de Marie Curie est de 5 000 € brut mensuels.\n");
  for (auto [collection, label] : {std::pair{"faq", "public"}, std::pair{"rh", "confidential"}}) {
    auto r = test::run({test::cli_path(), "ingest", (dir / "docs" / collection).string(),
                        "--collection", collection, "--label", label, "--kb", kb});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const fs::path config = dir / "triptyque.toml";
  write_file(config,
             "[server]\nhost = \"127.0.0.1\"\nport = 0\nthreads = 4\n"
             "[ledger]\npath = \"ledger.sqlite\"\n[kb]\npath = \"kb.sqlite\"\n"
             "[[server.keys]]\nname = \"public\"\nsha256 = \"" +
                 sha256_hex("sk-public") +
                 "\"\nscopes = [\"kb\"]\nkb_labels = [\"public\"]\n"
                 "[[server.keys]]\nname = \"admin\"\nsha256 = \"" +
                 sha256_hex("sk-admin") +
                 "\"\nscopes = [\"kb\", \"kb_write\"]\n"
                 "kb_labels = [\"public\", \"internal\", \"confidential\"]\n"
                 "[[server.keys]]\nname = \"faq-editor\"\nsha256 = \"" +
                 sha256_hex("sk-faq") +
                 "\"\nscopes = [\"kb\", \"kb_write\"]\n"
                 "kb_labels = [\"public\", \"confidential\"]\nkb_collections = [\"faq\"]\n");
  KbServer server(config);
  ASSERT_GT(server.port(), 0) << server.err();

  // A public key never sees the confidential chunk: not as a hit, snippet or citation.
  auto [st, res] = server.call("POST", "/v1/kb/search",
                               {{"query", "salaire de Marie Curie"}, {"k", 10}}, "sk-public");
  ASSERT_EQ(st, 200) << res.dump();
  ASSERT_FALSE(res["data"].empty());
  for (const auto& h : res["data"]) {
    EXPECT_EQ(h["label"], "public");
    EXPECT_EQ(h["collection"], "faq");
  }
  const std::string hits = res["data"].dump();  // (the query itself names Marie Curie)
  EXPECT_EQ(hits.find("Marie"), std::string::npos) << hits;
  EXPECT_EQ(hits.find("paie.md"), std::string::npos) << hits;
  const auto& top = res["data"][0];
  EXPECT_GT(top["score"].get<double>(), 0);
  EXPECT_NE(top["snippet"].get<std::string>().find("«salaire»"), std::string::npos) << top;
  EXPECT_NE(top["citation"]["source"].get<std::string>().find("salaires.md"), std::string::npos);
  EXPECT_EQ(top["citation"]["location"], "Rémunération > Grille");
  // Naming the confidential collection does not help: it does not exist for this key.
  std::tie(st, res) = server.call("POST", "/v1/kb/search",
                                  {{"query", "salaire"}, {"collections", {"rh"}}}, "sk-public");
  EXPECT_EQ(st, 404);
  expect_openai_error(res, "hidden collection");
  // A key with the label sees it.
  std::tie(st, res) =
      server.call("POST", "/v1/kb/search", {{"query", "salaire Marie Curie"}}, "sk-admin");
  ASSERT_EQ(st, 200) << res.dump();
  EXPECT_EQ(res["data"][0]["label"], "confidential");
  EXPECT_EQ(res["data"][0]["collection"], "rh");

  // Refusals, OpenAI-shaped.
  std::tie(st, res) = server.call("POST", "/v1/kb/search", {{"query", "salaire"}}, "");
  EXPECT_EQ(st, 401);
  expect_openai_error(res, "no key");
  std::tie(st, res) = server.call("POST", "/v1/kb/search", {{"k", 3}}, "sk-public");
  EXPECT_EQ(st, 400);
  expect_openai_error(res, "no query");
  EXPECT_EQ(res["error"]["param"], "query");
  std::tie(st, res) =
      server.call("POST", "/v1/kb/documents",
                  {{"collection", "faq"}, {"source", "x"}, {"text", "y"}}, "sk-public");
  EXPECT_EQ(st, 403);
  expect_openai_error(res, "write without kb_write");
  std::tie(st, res) = server.call("POST", "/v1/kb/documents",
                                  {{"collection", "rh"}, {"source", "x"}, {"text", "y"}}, "sk-faq");
  EXPECT_EQ(st, 404);
  expect_openai_error(res, "write outside kb_collections");

  // Add, find, leave unchanged, replace, delete.
  const json doc = {{"collection", "faq"},
                    {"source", "livraison"},
                    {"format", "markdown"},
                    {"text", "# Livraison\n\nLes colis partent sous 48 heures ouvrées.\n"}};
  std::tie(st, res) = server.call("POST", "/v1/kb/documents", doc, "sk-faq");
  EXPECT_EQ(st, 201) << res.dump();
  EXPECT_EQ(res["status"], "added");
  std::tie(st, res) = server.call("POST", "/v1/kb/documents", doc, "sk-faq");
  EXPECT_EQ(st, 200);
  EXPECT_EQ(res["status"], "unchanged");
  json changed = doc;
  changed["text"] = "# Livraison\n\nLes colis partent sous 24 heures ouvrées.\n";
  std::tie(st, res) = server.call("POST", "/v1/kb/documents", changed, "sk-faq");
  EXPECT_EQ(res["status"], "replaced");
  std::tie(st, res) = server.call("POST", "/v1/kb/search", {{"query", "colis"}}, "sk-public");
  ASSERT_EQ(st, 200);
  ASSERT_EQ(res["data"].size(), 1u) << res.dump();
  EXPECT_EQ(res["data"][0]["citation"]["source"], "livraison");
  EXPECT_NE(res["data"][0]["snippet"].get<std::string>().find("24"), std::string::npos);
  std::tie(st, res) = server.call("DELETE", "/v1/kb/documents",
                                  {{"collection", "faq"}, {"source", "livraison"}}, "sk-faq");
  EXPECT_EQ(st, 200) << res.dump();
  EXPECT_EQ(res["deleted"], true);
  std::tie(st, res) = server.call("DELETE", "/v1/kb/documents",
                                  {{"collection", "faq"}, {"source", "livraison"}}, "sk-faq");
  EXPECT_EQ(st, 404);
  expect_openai_error(res, "deleted twice");
  std::tie(st, res) = server.call("POST", "/v1/kb/search", {{"query", "colis"}}, "sk-public");
  EXPECT_TRUE(res["data"].empty()) << res.dump();
}

}  // namespace
}  // namespace tq
