// The example company (examples/shop) as the tasks see it: a knowledge base of its FAQ,
// policies and catalogue, and a ticket classifier trained on its tickets — built for real
// (the rag ingester, train-classifier's trainer) in a scratch folder — and a gateway on an
// ephemeral loopback port whose /v1/tasks run on a TaskRuntime over a given configuration.
#pragma once

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "rag/ingest/ingester.h"
#include "server/auth.h"
#include "server/gateway.h"
#include "support/gold.h"
#include "tasks/classifier/dataset.h"
#include "tasks/classifier/text_classifier.h"
#include "tasks/runtime/task_runtime.h"

namespace tq::test {

inline std::filesystem::path shop_dir() {
  return std::filesystem::path(TQ_SOURCE_DIR) / "examples" / "shop";
}

struct ShopFiles {
  std::filesystem::path kb;
  std::filesystem::path classifier;
};

// Builds kb.sqlite (collections "docs": faq + policies, "catalogue": catalogue.csv, both
// public) and tickets.tqc in `dir`.
inline ShopFiles build_shop(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  ShopFiles f{dir / "kb.sqlite", dir / "tickets.tqc"};
  for (const char* name : {"kb.sqlite", "kb.sqlite-wal", "kb.sqlite-shm"}) fs::remove(dir / name);
  {
    rag::KnowledgeBase kb(f.kb.string());
    rag::IngestOptions docs;
    docs.collection = "docs";
    docs.label = "public";
    rag::Ingester di(kb, docs);
    for (const auto& file :
         rag::expand_inputs({(shop_dir() / "faq").string(), (shop_dir() / "policies").string()}))
      di.ingest_file(file);
    di.finish();  // an ingester commits in batches: close ours before the next one starts
    rag::IngestOptions cat = docs;
    cat.collection = "catalogue";
    rag::Ingester ci(kb, cat);
    ci.ingest_file((shop_dir() / "catalogue.csv").string());
    ci.finish();
  }
  const auto data = tasks::load_dataset((shop_dir() / "tickets.csv").string(), {});
  tasks::TrainOptions train;  // as train-classifier trains without --epochs
  train.epochs = tasks::epochs_for(data.examples.size());
  tasks::TextClassifier::train(data.examples, train).save(f.classifier.string());
  return f;
}

// A gateway serving `config_text` (its [providers.*], [router], [tasks], [server.keys]).
class TaskGateway {
 public:
  TaskGateway(const std::filesystem::path& dir, const std::string& config_text) {
    for (const char* f : {"ledger.sqlite", "ledger.sqlite-wal", "ledger.sqlite-shm", "plans.sqlite",
                          "plans.sqlite-wal", "plans.sqlite-shm", "triptyque-audit.sqlite",
                          "triptyque-audit.sqlite-wal", "triptyque-audit.sqlite-shm"})
      std::filesystem::remove(dir / f);
    const auto config =
        parse_config("[server]\nhost = \"127.0.0.1\"\nport = 0\nthreads = 8\n[ledger]\npath = \"" +
                         (dir / "ledger.sqlite").string() + "\"\n" + config_text,
                     "task test config");
    app_ = std::make_unique<App>(config, dir);
    gateway_ = std::make_unique<Gateway>(*app_);
    // Wired as `triptyque serve` wires it: the gateway's guard and audit.
    runtime_ = tasks::TaskRuntime::from_config(
        config, dir, app_->registry(), &app_->ledger(), {}, app_->shared_budgets(),
        tasks::TaskGuardSetup{&app_->guard(), app_->decision_audit()});
    gateway_->set_task_runtime(runtime_);
    port_ = gateway_->bind();
    thread_ = std::thread([this] { gateway_->run(); });
    httplib::Client probe("127.0.0.1", port_);
    for (int i = 0; i < 500; ++i) {
      if (auto r = probe.Get("/health"); r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~TaskGateway() {
    gateway_->stop();
    thread_.join();
  }
  TaskGateway(const TaskGateway&) = delete;
  TaskGateway& operator=(const TaskGateway&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  Gateway& gateway() { return *gateway_; }
  tasks::TaskRuntime& runtime() { return *runtime_; }
  // The ledger once every queued record is written (the gateway writes its rows on a
  // background thread; the task runtime writes its own at once).
  Ledger& ledger() {
    app_->flush_records();
    return app_->ledger();
  }
  httplib::Client client(const std::string& key = "") const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(300, 0);
    if (!key.empty()) c.set_bearer_token_auth(key.c_str());
    return c;
  }

 private:
  std::unique_ptr<App> app_;  // outlives the gateway and the runtime, which borrow from it
  std::unique_ptr<Gateway> gateway_;
  std::shared_ptr<tasks::TaskRuntime> runtime_;
  int port_ = 0;
  std::thread thread_;
};

// POSTs `body` as JSON; the parsed answer (null when there was none) and its status.
struct Reply {
  int status = 0;
  nlohmann::json body;
  std::string raw;
};
inline Reply post_json(httplib::Client& c, const std::string& path, const nlohmann::json& body,
                       const httplib::Headers& headers = {}) {
  auto r = c.Post(path.c_str(), headers, body.dump(), "application/json");
  if (!r) return {};
  return {r->status, nlohmann::json::parse(r->body, nullptr, false), r->body};
}
inline Reply get_json(httplib::Client& c, const std::string& path) {
  auto r = c.Get(path.c_str());
  if (!r) return {};
  return {r->status, nlohmann::json::parse(r->body, nullptr, false), r->body};
}

}  // namespace tq::test
