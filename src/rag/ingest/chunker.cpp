#include "rag/ingest/chunker.h"

#include <sstream>

#include "core/error.h"

namespace tq::rag {
namespace {

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(std::move(w));
  return out;
}

std::string join(const std::vector<std::string>& words, size_t b, size_t e) {
  std::string out;
  for (size_t i = b; i < e; ++i) {
    if (i > b) out += ' ';
    out += words[i];
  }
  return out;
}

std::vector<std::string> paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.find_first_not_of(" \t\r\f") == std::string::npos) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += (cur.empty() ? "" : "\n") + line;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

void check_chunking(const ChunkingOptions& o) {
  if (o.max_words == 0) throw InputError("chunk size must be at least 1 word");
  if (o.overlap_words >= o.max_words) {
    throw InputError("chunk overlap (" + std::to_string(o.overlap_words) +
                     " words) must be smaller than the chunk size (" + std::to_string(o.max_words) +
                     ")");
  }
}

std::vector<ChunkInput> chunk_document(const ParsedDocument& doc, const ChunkingOptions& o) {
  check_chunking(o);
  if (!doc.records.empty()) return doc.records;
  std::vector<ChunkInput> out;
  for (const auto& section : doc.sections) {
    std::string title = section.heading.empty() ? doc.title : section.heading;
    std::string location = section.location.empty() ? section.heading : section.location;
    std::string buf;
    size_t buf_words = 0;
    auto emit = [&](std::string body) {
      if (body.find_first_not_of(" \n\t") == std::string::npos) return;
      out.push_back({title, std::move(body), location, nlohmann::json::object()});
    };
    for (const auto& para : paragraphs(section.text)) {
      auto words = split_words(para);
      if (buf_words + words.size() <= o.max_words) {
        buf += (buf.empty() ? "" : "\n\n") + para;
        buf_words += words.size();
        continue;
      }
      emit(std::move(buf));
      buf.clear();
      buf_words = 0;
      if (words.size() <= o.max_words) {
        buf = para;
        buf_words = words.size();
        continue;
      }
      const size_t step = o.max_words - o.overlap_words;
      for (size_t b = 0; b < words.size(); b += step) {
        size_t e = std::min(words.size(), b + o.max_words);
        if (e == words.size() && e - b < o.max_words && b > 0) {
          // The tail: keep it open so the next paragraph can join it.
          buf = join(words, b, e);
          buf_words = e - b;
          break;
        }
        emit(join(words, b, e));
        if (e == words.size()) break;
      }
    }
    emit(std::move(buf));
  }
  return out;
}

}  // namespace tq::rag
