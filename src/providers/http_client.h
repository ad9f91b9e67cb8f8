// HTTP/1.1 client over libcurl for the remote providers. Each call drives its transfer
// from its own loop (a curl multi handle polled every few ms), which gives the deadlines
// curl alone cannot: "no content within X ms" for a streamed answer, checked to the
// millisecond, and a prompt stop when the caller's sink says the client went away.
// Handles are pooled per client, so consecutive calls reuse kept-alive connections.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tq {

struct HttpRequest {
  std::string method = "POST";  // POST (with body) or GET
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{60000};
  // When > 0: the call fails with FirstContentTimeout unless *content_started (set by the
  // body sink when it has seen real content, not just keep-alive comments) turns true
  // within this time of the start.
  std::chrono::milliseconds first_content_timeout{0};
  const bool* content_started = nullptr;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string body;                            // whole body, unless a 2xx body went to the sink
};

enum class HttpFailure {
  Connect,              // refused, unreachable, DNS, connect timeout
  Timeout,              // the total deadline passed
  FirstContentTimeout,  // no content within first_content_timeout
  Network,              // the connection broke mid-transfer, TLS error, protocol error
  Aborted,              // the body sink returned false
};

class HttpError : public std::runtime_error {
 public:
  HttpError(HttpFailure failure, const std::string& what)
      : std::runtime_error(what), failure_(failure) {}
  HttpFailure failure() const { return failure_; }

 private:
  HttpFailure failure_;
};

class HttpClient {
 public:
  // Receives a 2xx response's body bytes as they arrive; false aborts the transfer.
  using BodySink = std::function<bool(std::string_view bytes)>;

  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Thread-safe. Returns the response whatever its status; throws HttpError when no
  // complete response came. Exceptions thrown by `on_body` propagate unchanged.
  HttpResponse send(const HttpRequest& request, const BodySink& on_body = nullptr);

 private:
  struct Handle;
  std::unique_ptr<Handle> acquire();
  void release(std::unique_ptr<Handle> h);

  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;
};

}  // namespace tq
