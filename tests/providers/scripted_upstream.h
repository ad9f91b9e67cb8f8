// A real HTTP server (cpp-httplib on an ephemeral loopback port) that answers like an
// OpenAI-compatible upstream, scripted by each test: the faults the providers must survive
// (connections cut mid-stream, slow first tokens, 5xx, 429) happen on real sockets.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace tq::test {

class ScriptedUpstream {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&, int call)>;

  // `chat` answers POST /v1/chat/completions; `call` counts from 1.
  explicit ScriptedUpstream(Handler chat) : chat_(std::move(chat)) {
    server_.set_keep_alive_timeout(1);
    server_.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   const int call = ++calls_;
                   {
                     std::lock_guard lock(mu_);
                     bodies_.push_back(req.body);
                     arrivals_.push_back(std::chrono::steady_clock::now());
                     auth_.push_back(req.get_header_value("Authorization"));
                   }
                   chat_(req, res, call);
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // bind_to_any_port already listens: early connections wait in the backlog.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedUpstream() {
    server_.stop();
    thread_.join();
  }
  ScriptedUpstream(const ScriptedUpstream&) = delete;
  ScriptedUpstream& operator=(const ScriptedUpstream&) = delete;

  httplib::Server& server() { return server_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int calls() const { return calls_.load(); }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<std::chrono::steady_clock::time_point> arrivals() {
    std::lock_guard lock(mu_);
    return arrivals_;
  }
  std::vector<std::string> auth_headers() {
    std::lock_guard lock(mu_);
    return auth_;
  }

 private:
  httplib::Server server_;
  Handler chat_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> calls_{0};
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::vector<std::chrono::steady_clock::time_point> arrivals_;
  std::vector<std::string> auth_;
};

// A non-streamed chat completion as OpenAI's API reference shows it.
inline std::string completion_json(const std::string& text, int prompt_tokens,
                                   int completion_tokens) {
  nlohmann::json j = {{"id", "chatcmpl-test"},
                      {"object", "chat.completion"},
                      {"created", 1700000000},
                      {"model", "test-model"},
                      {"choices",
                       {{{"index", 0},
                         {"message", {{"role", "assistant"}, {"content", text}}},
                         {"finish_reason", "stop"}}}},
                      {"usage",
                       {{"prompt_tokens", prompt_tokens},
                        {"completion_tokens", completion_tokens},
                        {"total_tokens", prompt_tokens + completion_tokens}}}};
  return j.dump();
}

// One `data:` event of a streamed answer carrying `piece`.
inline std::string delta_event(const std::string& piece) {
  nlohmann::json j = {{"id", "chatcmpl-test"},
                      {"object", "chat.completion.chunk"},
                      {"choices", {{{"index", 0}, {"delta", {{"content", piece}}}}}}};
  return "data: " + j.dump() + "\n\n";
}

inline std::string finish_event(const std::string& reason) {
  nlohmann::json j = {
      {"id", "chatcmpl-test"},
      {"object", "chat.completion.chunk"},
      {"choices",
       {{{"index", 0}, {"delta", nlohmann::json::object()}, {"finish_reason", reason}}}}};
  return "data: " + j.dump() + "\n\n";
}

inline std::string usage_event(int prompt_tokens, int completion_tokens) {
  nlohmann::json j = {
      {"id", "chatcmpl-test"},
      {"object", "chat.completion.chunk"},
      {"choices", nlohmann::json::array()},
      {"usage", {{"prompt_tokens", prompt_tokens}, {"completion_tokens", completion_tokens}}}};
  return "data: " + j.dump() + "\n\n";
}

// Streams `events` one write each, sleeping `gap` before each; with `cut_after` >= 0 the
// connection is dropped (no terminating chunk) after that many events.
inline void stream_events(httplib::Response& res, std::vector<std::string> events,
                          std::chrono::milliseconds gap = std::chrono::milliseconds(0),
                          int cut_after = -1,
                          std::chrono::milliseconds first_delay = std::chrono::milliseconds(0)) {
  res.set_chunked_content_provider(
      "text/event-stream",
      [events = std::move(events), gap, cut_after, first_delay](size_t, httplib::DataSink& sink) {
        if (first_delay.count() > 0) std::this_thread::sleep_for(first_delay);
        for (size_t i = 0; i < events.size(); ++i) {
          if (cut_after >= 0 && static_cast<int>(i) == cut_after) return false;
          if (gap.count() > 0) std::this_thread::sleep_for(gap);
          if (!sink.write(events[i].data(), events[i].size())) return false;
        }
        sink.done();
        return true;
      });
}

}  // namespace tq::test
