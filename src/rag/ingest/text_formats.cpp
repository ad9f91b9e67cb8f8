// Plain text and Markdown: paragraphs; Markdown headings open sections whose heading
// path ("Guide > Installation") is kept for citations.
#include <algorithm>
#include <string>

#include "rag/ingest/parsed.h"

namespace tq::rag {
namespace {

std::string trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Inline Markdown to text: [label](url) → label, images dropped, emphasis marks removed.
std::string markdown_inline(std::string_view line) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '!' && i + 1 < line.size() && line[i + 1] == '[') continue;
    if (c == '[') {
      size_t close = line.find(']', i);
      if (close != std::string_view::npos && close + 1 < line.size() && line[close + 1] == '(') {
        size_t paren = line.find(')', close);
        if (paren != std::string_view::npos) {
          out += line.substr(i + 1, close - i - 1);
          i = paren;
          continue;
        }
      }
    }
    if (c == '*' || c == '_' || c == '`') continue;
    out += c;
  }
  return out;
}

}  // namespace

ParsedDocument parse_text(std::string_view data) {
  ParsedDocument d;
  std::string text = sanitize_utf8(data);
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  d.sections.push_back({"", "", text});
  size_t nl = text.find('\n');
  d.title = trim(text.substr(0, std::min<size_t>(nl, 120)));
  return d;
}

ParsedDocument parse_markdown(std::string_view data) {
  ParsedDocument d;
  std::string text = sanitize_utf8(data);
  std::vector<std::string> path;  // heading text by level - 1
  Section current;
  bool in_fence = false;
  size_t pos = 0;
  auto flush = [&] {
    if (!trim(current.text).empty()) d.sections.push_back(current);
    current.text.clear();
  };
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("```", 0) == 0 || line.rfind("~~~", 0) == 0) {
      in_fence = !in_fence;
      continue;
    }
    size_t level = 0;
    while (!in_fence && level < line.size() && line[level] == '#') ++level;
    if (level >= 1 && level <= 6 && (level == line.size() || line[level] == ' ')) {
      flush();
      std::string heading = trim(markdown_inline(line.substr(level)));
      while (!heading.empty() && heading.back() == '#') heading.pop_back();
      heading = trim(heading);
      path.resize(level - 1);
      path.push_back(heading);
      if (d.title.empty()) d.title = heading;
      current.heading.clear();
      for (const auto& h : path) {
        if (h.empty()) continue;
        current.heading += (current.heading.empty() ? "" : " > ") + h;
      }
      continue;
    }
    current.text += (in_fence ? line : markdown_inline(line)) + "\n";
  }
  flush();
  return d;
}

}  // namespace tq::rag
