#include "providers/http_client.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <optional>
#include <utility>

#include <curl/curl.h>

namespace tq {
namespace {

constexpr size_t kMaxIdleHandles = 32;
constexpr size_t kMaxErrorBody = 64 * 1024;

void global_init() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

struct SList {
  curl_slist* list = nullptr;
  ~SList() { curl_slist_free_all(list); }
  void add(const std::string& s) { list = curl_slist_append(list, s.c_str()); }
};

struct Transfer {
  CURL* easy = nullptr;
  HttpResponse response;
  const HttpClient::BodySink* sink = nullptr;
  bool aborted = false;
  std::exception_ptr error;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (after 100 Continue or a redirect)
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  t->response.headers[name] = std::string(value);
  return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  const bool ok = status >= 200 && status < 300;
  if (ok && t->sink != nullptr && *t->sink) {
    try {
      if (!(*t->sink)(std::string_view(data, bytes))) {
        t->aborted = true;
        return 0;
      }
    } catch (...) {
      t->error = std::current_exception();
      return 0;
    }
    return bytes;
  }
  if (!ok && t->response.body.size() >= kMaxErrorBody) return bytes;  // keep the start
  t->response.body.append(data, bytes);
  return bytes;
}

}  // namespace

struct HttpClient::Handle {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;
  Handle() : multi(curl_multi_init()), easy(curl_easy_init()) {}
  ~Handle() {
    curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
};

HttpClient::HttpClient() {
  global_init();
}
HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Handle> HttpClient::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto h = std::move(idle_.back());
      idle_.pop_back();
      return h;
    }
  }
  auto h = std::make_unique<Handle>();
  if (h->multi == nullptr || h->easy == nullptr) throw std::bad_alloc();
  return h;
}

void HttpClient::release(std::unique_ptr<Handle> h) {
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(h));
}

HttpResponse HttpClient::send(const HttpRequest& request, const BodySink& sink) {
  using Clock = std::chrono::steady_clock;
  auto handle = acquire();
  CURL* easy = handle->easy;
  CURLM* multi = handle->multi;
  curl_easy_reset(easy);

  Transfer t;
  t.easy = easy;
  t.sink = &sink;
  SList headers;
  for (const auto& h : request.headers) headers.add(h);
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(1, request.connect_timeout.count())));
  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);

  const auto start = Clock::now();
  const auto total_deadline = start + request.total_timeout;
  const auto first_deadline = start + request.first_content_timeout;
  const bool check_first =
      request.first_content_timeout.count() > 0 && request.content_started != nullptr;

  curl_multi_add_handle(multi, easy);
  struct Detach {  // declared after `handle`: runs first when an exception leaves
    CURLM* m;
    CURL* e;
    bool attached = true;
    void now() {
      if (attached) curl_multi_remove_handle(m, e);
      attached = false;
    }
    ~Detach() { now(); }
  } detach{multi, easy};

  std::optional<HttpFailure> our_timeout;
  int running = 1;
  while (true) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) break;
    if (running == 0) break;
    const auto now = Clock::now();
    if (now >= total_deadline) {
      our_timeout = HttpFailure::Timeout;
      break;
    }
    if (check_first && !*request.content_started && now >= first_deadline) {
      our_timeout = HttpFailure::FirstContentTimeout;
      break;
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(total_deadline - now);
    if (check_first && !*request.content_started) {
      wait = std::min(wait,
                      std::chrono::duration_cast<std::chrono::milliseconds>(first_deadline - now));
    }
    wait = std::clamp(wait, std::chrono::milliseconds(1), std::chrono::milliseconds(50));
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
  if (t.error) std::rethrow_exception(t.error);
  const double elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (our_timeout == HttpFailure::Timeout) {
    throw HttpError(HttpFailure::Timeout, "no complete answer within " +
                                              std::to_string(request.total_timeout.count()) +
                                              " ms (total timeout)");
  }
  if (our_timeout == HttpFailure::FirstContentTimeout) {
    throw HttpError(HttpFailure::FirstContentTimeout,
                    "no content within " + std::to_string(request.first_content_timeout.count()) +
                        " ms (first token timeout)");
  }

  CURLcode code = CURLE_OK;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) code = msg->data.result;
  }
  if (code != CURLE_OK) {
    if (t.aborted) throw HttpError(HttpFailure::Aborted, "transfer cancelled by the caller");
    std::string what = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
    what +=
        " (" + request.url + ", after " + std::to_string(static_cast<int64_t>(elapsed_ms)) + " ms)";
    switch (code) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        throw HttpError(HttpFailure::Connect, what);
      case CURLE_OPERATION_TIMEDOUT: {
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        throw HttpError(status == 0 ? HttpFailure::Connect : HttpFailure::Timeout, what);
      }
      default:
        throw HttpError(HttpFailure::Network, what);
    }
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  t.response.status = static_cast<int>(status);
  HttpResponse out = std::move(t.response);
  // Back to the pool only after a clean transfer: its connection may be reused.
  detach.now();
  release(std::move(handle));
  return out;
}

}  // namespace tq
