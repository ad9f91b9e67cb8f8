// libFuzzer target: the server's request parsers over arbitrary bytes. They must return a
// request or a ParseError — never throw, crash or hang — whatever the body holds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/request_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)tq::parse_chat_request(body);
  (void)tq::parse_completion_request(body);
  (void)tq::parse_embedding_request(body);
  return 0;
}
