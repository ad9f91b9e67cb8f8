// Python str operations on UTF-8 text. Python strings index by code point and know Unicode
// whitespace and case, and templates lean on that (`content|trim`, `s[-1]`, `|title`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tq::jinja::text {

bool is_space(uint32_t cp);                          // str.isspace()
size_t length(std::string_view s);                   // in code points
std::vector<std::string> chars(std::string_view s);  // one string per code point

// str.strip / lstrip / rstrip: whitespace when `chars` is null, else any of its characters.
std::string strip(std::string_view s, const std::string* chars, bool left, bool right);
// str.split(sep, maxsplit): whitespace runs when `sep` is null.
std::vector<std::string> split(std::string_view s, const std::string* sep, int64_t maxsplit);
std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count);
std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string capitalize(std::string_view s);   // str.capitalize
std::string py_title(std::string_view s);     // str.title: after any non-letter
std::string jinja_title(std::string_view s);  // Jinja2's |title: after spaces - ( { [ <
// str.splitlines() for \n, \r\n and \r.
std::vector<std::string> splitlines(std::string_view s);

}  // namespace tq::jinja::text
