#include "server/http_util.h"

#include <httplib.h>

#include <cstdio>

#include "server/openai_format.h"

namespace tq {

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& param, const std::string& code) {
  send_json(res, status, error_body(status, message, param, code));
}

std::string header_text(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> kAscii[] = {
      {"\u2192", "->"}, {"\u2265", ">="}, {"\u2264", "<="}, {"\u20ac", "EUR"}, {"\u2026", "..."}};
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [from, to] : kAscii) {
      if (text.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    const auto c = static_cast<unsigned char>(text[i++]);
    if (c >= 0x20 && c < 0x7f && c != '%') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string sse(const nlohmann::json& payload) {
  return "data: " + payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

std::string eur_text(double eur) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", eur);
  return buf;
}

}  // namespace tq
