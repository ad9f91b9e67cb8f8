// Server-Sent Events, as the WHATWG HTML standard parses them (§9.2.6), for reading
// OpenAI-style streams: bytes arrive in arbitrary network chunks, so a line (even a CRLF
// pair) may be split anywhere and the parser keeps what it has not yet seen end.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace tq {

struct SseEvent {
  std::string event;  // the `event:` field, empty when none ("message" by default)
  std::string data;   // the `data:` lines joined by '\n'
};

class SseParser {
 public:
  using EventSink = std::function<void(const SseEvent&)>;
  // A line longer than `max_line_bytes` is an error (an upstream gone wrong must not
  // make us buffer without bound).
  explicit SseParser(EventSink sink, size_t max_line_bytes = 8u << 20);

  // Feeds the next bytes; dispatches every event completed by them. Throws
  // std::length_error on an over-long line.
  void feed(std::string_view bytes);
  // True when an event has started but not ended (the stream stopped mid-event).
  bool pending() const { return !line_.empty() || !data_.empty() || has_data_; }

 private:
  void on_line(std::string_view line);
  void dispatch();

  EventSink sink_;
  size_t max_line_bytes_;
  std::string line_;       // the current, unfinished line
  bool after_cr_ = false;  // the last byte was CR: a following LF belongs to it
  std::string event_;
  std::string data_;
  bool has_data_ = false;
};

}  // namespace tq
