// A real gateway on an ephemeral loopback port, in this process, serving the golden model
// files (stories260K for generation: a real pretrained model whose greedy text llama.cpp
// documents; llama-spm-f32 for long random generations; bert-mean-q8_0 for embeddings),
// with two API keys: "sk-test" (unlimited) and "sk-limited" (2 requests per minute).
#pragma once

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "core/config.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/gateway.h"
#include "support/gold.h"

namespace tq::test {

inline std::filesystem::path gold_model(const std::string& name) {
  return gold_dir() / "models" / name;
}

class RunningGateway {
 public:
  explicit RunningGateway(const std::string& scratch, size_t max_body = 1 << 20) {
    const auto dir = scratch_dir(scratch);
    for (const char* f :
         {"ledger.sqlite", "ledger.sqlite-wal", "ledger.sqlite-shm", "triptyque-audit.sqlite",
          "triptyque-audit.sqlite-wal", "triptyque-audit.sqlite-shm"})
      std::filesystem::remove(dir / f);  // fresh stores per test (--gtest_repeat reuses dir)
    const std::string config_text =
        "[server]\nhost = \"127.0.0.1\"\nport = 0\nthreads = 12\nmax_body_bytes = " +
        std::to_string(max_body) + "\n[ledger]\npath = \"" + (dir / "ledger.sqlite").string() +
        "\"\n[[server.keys]]\nname = \"tester\"\nsha256 = \"" + sha256_hex("sk-test") +
        "\"\n[[server.keys]]\nname = \"limited\"\nsha256 = \"" + sha256_hex("sk-limited") +
        "\"\nrequests_per_minute = 2\n[[server.keys]]\nname = \"embed-only\"\nsha256 = \"" +
        sha256_hex("sk-embed") + "\"\nscopes = [\"embeddings\"]\n" +
        "[providers.local]\nkind = \"local\"\nn_slots = 4\nn_ctx = 1024\nthreads = 2\n"
        "max_loaded = 3\nprice_eur_per_hour = 0.36\nmodels = { story = \"" +
        gold_model("stories260K.gguf").string() + "\", noise = \"" +
        gold_model("llama-spm-f32.gguf").string() + "\", bert = \"" +
        gold_model("bert-mean-q8_0.gguf").string() + "\" }\n";
    start(parse_config(config_text, "test config"), dir);
  }
  // A gateway over `config` (relative paths against `dir`).
  RunningGateway(const toml::table& config, const std::filesystem::path& dir) {
    start(config, dir);
  }
  ~RunningGateway() {
    gateway_->stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string base_url() const {
    return std::string(gateway_->options().tls() ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(port_);
  }
  Gateway& gateway() { return *gateway_; }
  App& app() { return *app_; }
  // The ledger's rows once everything queued is written.
  std::vector<LedgerRecord> ledger_rows() {
    app_->flush_records();
    return app_->ledger().attempts();
  }
  httplib::Client client(const std::string& key = "sk-test") const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120, 0);
    if (!key.empty()) c.set_bearer_token_auth(key.c_str());
    return c;
  }

 private:
  void start(const toml::table& config, const std::filesystem::path& dir) {
    app_ = std::make_unique<App>(config, dir);
    gateway_ = std::make_unique<Gateway>(*app_);
    port_ = gateway_->bind();
    thread_ = std::thread([this] { gateway_->run(); });
    // stop() only stops a server that is listening: wait until it answers.
    httplib::Client probe(base_url());
    probe.enable_server_certificate_verification(false);  // [server.tls] tests: any cert
    for (int i = 0; i < 500; ++i) {
      if (auto r = probe.Get("/health"); r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::unique_ptr<App> app_;
  std::unique_ptr<Gateway> gateway_;
  int port_ = 0;
  std::thread thread_;
};

// Skips (or fails under REQUIRE_GOLD=1) when the golden models are absent.
#define TQ_REQUIRE_GATEWAY_MODELS()                                 \
  do {                                                              \
    TQ_REQUIRE_PATH(::tq::test::gold_model("stories260K.gguf"));    \
    TQ_REQUIRE_PATH(::tq::test::gold_model("llama-spm-f32.gguf"));  \
    TQ_REQUIRE_PATH(::tq::test::gold_model("bert-mean-q8_0.gguf")); \
  } while (0)

}  // namespace tq::test
