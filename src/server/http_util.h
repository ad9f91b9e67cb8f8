// Small helpers every route file of the gateway shares (chat, embeddings, and the route
// files other modules mount: /v1/kb/*, /v1/tasks/*), so all answers and errors look alike.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace httplib {
class Response;
}

namespace tq {

// `body` as application/json with `status`.
void send_json(httplib::Response& res, int status, const nlohmann::json& body);
// OpenAI's error shape {"error": {message, type, param, code}} with `status`.
void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& param = "", const std::string& code = "");
// A header value from free text: HTTP headers are ASCII, so arrows and comparison signs
// become their ASCII spellings and other bytes outside printable ASCII are %-escaped.
std::string header_text(std::string_view text);
// One server-sent event carrying `payload`.
std::string sse(const nlohmann::json& payload);
// "%.9g": costs of one call are micro-euros; significant digits, not fixed decimals.
std::string eur_text(double eur);

}  // namespace tq
