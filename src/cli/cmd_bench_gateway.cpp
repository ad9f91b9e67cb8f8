// triptyque bench-gateway: what the gateway adds to a call, measured with wrk on loopback.
// It starts a trivial OpenAI-compatible upstream (a canned chat completion) and a gateway
// in front of it (guard, router, executor, ledger and audit writer all on), then runs wrk
// with kept-alive connections at about --rate requests/s, once through the gateway and once
// straight to the upstream, and prints both latency distributions, the p99 difference,
// errors and the process's memory before and after (bounded memory: RSS must not grow
// with the number of requests).
#include <httplib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "core/config.h"
#include "core/error.h"
#include "server/app.h"
#include "server/gateway.h"

namespace tq::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct BenchOptions {
  int rate = 1000;
  int duration_s = 30;
  int connections = 10;
  int wrk_threads = 2;
  std::string wrk = "wrk";
  bool json_out = false;
};

// The upstream answers every chat call at once with the same small completion.
class TrivialUpstream {
 public:
  explicit TrivialUpstream(int threads) {
    const std::string body =
        json{{"id", "chatcmpl-bench"},
             {"object", "chat.completion"},
             {"created", 1700000000},
             {"model", "echo"},
             {"choices",
              {{{"index", 0},
                {"message", {{"role", "assistant"}, {"content", "Votre commande est en route."}}},
                {"finish_reason", "stop"}}}},
             {"usage", {{"prompt_tokens", 12}, {"completion_tokens", 7}, {"total_tokens", 19}}}}
            .dump();
    server_.new_task_queue = [threads] {
      return new httplib::ThreadPool(static_cast<size_t>(threads));
    };
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_max_count(1000000);
    server_.Post("/v1/chat/completions", [body](const httplib::Request&, httplib::Response& res) {
      res.set_content(body, "application/json");
    });
    int fd = -1;
    server_.set_socket_options([&fd](socket_t s) {
      httplib::default_socket_options(s);
      fd = s;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw Error("bench-gateway: the upstream cannot listen");
    ::listen(fd, 1024);  // past Debian httplib's fixed backlog of 5, as the gateway does
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TrivialUpstream() {
    server_.stop();
    thread_.join();
  }
  TrivialUpstream(const TrivialUpstream&) = delete;
  TrivialUpstream& operator=(const TrivialUpstream&) = delete;
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// VmRSS and VmHWM of this process, in KiB.
std::pair<long, long> memory_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  long rss = 0;
  long hwm = 0;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stol(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::stol(line.substr(6));
  }
  return {rss, hwm};
}

// CPU seconds (user + system) this process has used: the upstream alone during the direct
// run, upstream and gateway during the other.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Each connection waits `delay` ms after every answer: connections / delay ≈ the rate
// (Debian's wrk 4.1 has no constant-rate mode). done() prints one JSON line.
std::string wrk_script(int delay_ms) {
  const std::string body = json{
      {"model", "echo"},
      {"messages",
       {{{"role", "user"},
         {"content", "Bonjour, où en est ma commande CMD-2291 ? Merci, Claire"}}}},
      {"max_tokens", 16}}.dump();
  std::string s = "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n";
  s += "wrk.body = [[" + body + "]]\n";
  s += "function delay() return " + std::to_string(delay_ms) + " end\n";
  s += R"lua(
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\":%d,\"duration_us\":%d,\"status_errors\":%d,\"connect_errors\":%d," ..
    "\"read_errors\":%d,\"write_errors\":%d,\"timeouts\":%d,\"mean_us\":%.1f,\"max_us\":%d," ..
    "\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"p999_us\":%d}\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end
)lua";
  return s;
}

json run_wrk(const BenchOptions& o, const std::string& script, int port) {
  const std::string cmd =
      o.wrk + " -t" + std::to_string(o.wrk_threads) + " -c" + std::to_string(o.connections) +
      " -d" + std::to_string(o.duration_s) + "s --timeout 5s -s '" + script +
      "' http://127.0.0.1:" + std::to_string(port) + "/v1/chat/completions 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) throw Error("bench-gateway: cannot run " + o.wrk);
  std::string out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int rc = ::pclose(p);
  const size_t at = out.find("WRKJSON ");
  if (rc != 0 || at == std::string::npos)
    throw Error("bench-gateway: wrk failed (is the Debian package `wrk` installed?): " + out);
  json j = json::parse(out.substr(at + 8, out.find('\n', at) - at - 8));
  j["command"] = cmd.substr(0, cmd.size() - 5);
  j["rate"] = static_cast<double>(j["requests"].get<int64_t>()) /
              (static_cast<double>(j["duration_us"].get<int64_t>()) / 1e6);
  return j;
}

void print_run(const char* name, const json& r) {
  const int64_t errors = r["status_errors"].get<int64_t>() + r["connect_errors"].get<int64_t>() +
                         r["read_errors"].get<int64_t>() + r["write_errors"].get<int64_t>() +
                         r["timeouts"].get<int64_t>();
  std::printf(
      "%-9s %7.0f req/s  p50 %6.3f ms  p90 %6.3f ms  p99 %6.3f ms  p99.9 %6.3f ms  max %7.3f ms  "
      "errors %lld  cpu %.0f us/req\n",
      name, r["rate"].get<double>(), r["p50_us"].get<double>() / 1000,
      r["p90_us"].get<double>() / 1000, r["p99_us"].get<double>() / 1000,
      r["p999_us"].get<double>() / 1000, r["max_us"].get<double>() / 1000,
      static_cast<long long>(errors), r["cpu_us_per_request"].get<double>());
}

int run_bench(const BenchOptions& o) {
  if (o.rate < 1 || o.connections < 1) throw InputError("--rate and --connections must be >= 1");
  const int delay_ms = std::max(0, 1000 * o.connections / o.rate);
  const fs::path dir = fs::temp_directory_path() / ("tq-bench-gateway." + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path script = dir / "post.lua";
  std::ofstream(script) << wrk_script(delay_ms);

  // Room for wrk's connections and the gateway's pooled ones at once: an httplib worker
  // stays with its kept-alive connection until it closes.
  TrivialUpstream upstream(3 * o.connections + 8);
  const std::string config_text =
      "[server]\nport = 0\nthreads = " + std::to_string(o.connections + 4) +
      "\n[ledger]\npath = \"" + (dir / "ledger.sqlite").string() +
      "\"\n[providers.upstream]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:" +
      std::to_string(upstream.port()) +
      "/v1\"\nmodels = [\"echo\"]\nmax_retries = 0\n"
      "prices = { echo = { input_eur_per_mtok = 0.15, output_eur_per_mtok = 0.6 } }\n";
  App app(parse_config(config_text, "bench-gateway"), dir);
  Gateway gateway(app);
  const int port = gateway.bind();
  std::thread server([&gateway] { gateway.run(); });

  std::fprintf(stderr, "bench-gateway: %d connections, %d ms between requests each, %d s per run\n",
               o.connections, delay_ms, o.duration_s);
  const double cpu0 = cpu_seconds();
  json direct = run_wrk(o, script.string(), upstream.port());
  const double cpu1 = cpu_seconds();
  const auto before = memory_kib();
  json through = run_wrk(o, script.string(), port);
  app.flush_records();
  const double cpu2 = cpu_seconds();
  const auto after = memory_kib();
  direct["cpu_us_per_request"] = (cpu1 - cpu0) * 1e6 / direct["requests"].get<double>();
  through["cpu_us_per_request"] = (cpu2 - cpu1) * 1e6 / through["requests"].get<double>();
  gateway.stop();
  server.join();
  const int64_t ledger_rows = app.ledger().count();
  const double p99_diff_ms =
      (through["p99_us"].get<double>() - direct["p99_us"].get<double>()) / 1000;
  const json report = {{"gateway", through},           {"upstream", direct},
                       {"p99_added_ms", p99_diff_ms},  {"rss_kib_before", before.first},
                       {"rss_kib_after", after.first}, {"rss_peak_kib", after.second},
                       {"ledger_rows", ledger_rows}};
  if (o.json_out) {
    std::printf("%s\n", report.dump().c_str());
  } else {
    print_run("gateway", through);
    print_run("upstream", direct);
    std::printf("p99 added by the gateway: %.3f ms (target <= 1 ms)\n", p99_diff_ms);
    std::printf("memory: RSS %ld KiB before, %ld KiB after %lld requests (peak %ld KiB)\n",
                before.first, after.first,
                static_cast<long long>(through["requests"].get<int64_t>()), after.second);
    std::printf("ledger rows written: %lld\n", static_cast<long long>(ledger_rows));
    std::printf("commands:\n  %s\n  %s\n", through["command"].get<std::string>().c_str(),
                direct["command"].get<std::string>().c_str());
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return kExitOk;
}

}  // namespace

Action register_bench_gateway(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench-gateway", "Latency the gateway adds, with wrk against a trivial upstream (loopback)");
  cmd->add_option("--rate", o->rate, "Target requests per second (default 1000)");
  cmd->add_option("--duration", o->duration_s, "Seconds per wrk run (default 30)");
  cmd->add_option("--connections", o->connections, "Kept-alive connections (default 10)");
  cmd->add_option("--wrk-threads", o->wrk_threads, "wrk threads (default 2)");
  cmd->add_option("--wrk", o->wrk, "The wrk executable (default: wrk on PATH)");
  cmd->add_flag("--json", o->json_out, "Print the report as JSON");
  return [o] { return run_bench(*o); };
}

}  // namespace tq::cli
