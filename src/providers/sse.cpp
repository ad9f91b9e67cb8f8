#include "providers/sse.h"

#include <stdexcept>
#include <utility>

namespace tq {

SseParser::SseParser(EventSink sink, size_t max_line_bytes)
    : sink_(std::move(sink)), max_line_bytes_(max_line_bytes) {}

void SseParser::feed(std::string_view bytes) {
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c != '\r' && c != '\n') continue;
    if (c == '\n' && after_cr_ && i == start && line_.empty()) {
      // The LF of a CRLF whose CR ended the previous line (maybe in the previous chunk).
      after_cr_ = false;
      start = i + 1;
      continue;
    }
    line_.append(bytes.substr(start, i - start));
    if (line_.size() > max_line_bytes_) throw std::length_error("SSE line too long");
    std::string line;
    line.swap(line_);
    after_cr_ = (c == '\r');
    start = i + 1;
    on_line(line);
  }
  if (start < bytes.size()) {
    after_cr_ = false;
    line_.append(bytes.substr(start));
    if (line_.size() > max_line_bytes_) throw std::length_error("SSE line too long");
  }
}

void SseParser::on_line(std::string_view line) {
  if (line.empty()) {
    dispatch();
    return;
  }
  if (line.front() == ':') return;  // a comment (keep-alive pings)
  std::string_view field = line;
  std::string_view value;
  if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
    has_data_ = true;
    if (data_.size() > max_line_bytes_) throw std::length_error("SSE event too long");
  } else if (field == "event") {
    event_.assign(value);
  }
  // `id`, `retry` and unknown fields are ignored: OpenAI streams do not reconnect.
}

void SseParser::dispatch() {
  if (!has_data_) {
    event_.clear();
    return;
  }
  SseEvent ev;
  ev.event = std::move(event_);
  ev.data = std::move(data_);
  if (!ev.data.empty() && ev.data.back() == '\n') ev.data.pop_back();
  event_.clear();
  data_.clear();
  has_data_ = false;
  sink_(ev);
}

}  // namespace tq
