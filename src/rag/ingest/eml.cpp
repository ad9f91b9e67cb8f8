// E-mail (.eml, RFC 5322 + MIME): headers unfolded and RFC 2047-decoded, multipart walked
// (text/plain preferred over text/html in alternatives), quoted-printable and base64
// decoded, every charset converted to UTF-8. From/To/Cc/Subject/Date are kept.
#include <algorithm>
#include <map>
#include <string>

#include "core/error.h"
#include "rag/ingest/parsed.h"

namespace tq::rag {
namespace {

constexpr int kMaxDepth = 12;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string decode_base64(std::string_view s) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=')
      break;
    else if (c == ' ' || c == '\r' || c == '\n' || c == '\t')
      continue;
    else
      throw InputError(std::string("invalid base64 character '") + c + "'");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

std::string decode_qp(std::string_view s, bool header) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (header && c == '_') {
      out += ' ';
    } else if (c == '=' && i + 1 < s.size() && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
      ++i;  // soft line break
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if (c == '=' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// RFC 2047 encoded words: =?charset?B|Q?text?=
std::string decode_words(std::string_view v) {
  std::string out;
  size_t i = 0;
  bool last_was_word = false;
  while (i < v.size()) {
    size_t start = v.find("=?", i);
    if (start == std::string_view::npos) {
      out += v.substr(i);
      break;
    }
    size_t q1 = v.find('?', start + 2);
    size_t q2 = q1 == std::string_view::npos ? q1 : v.find('?', q1 + 1);
    size_t end = q2 == std::string_view::npos ? q2 : v.find("?=", q2 + 1);
    if (end == std::string_view::npos || q2 != q1 + 2) {
      out += v.substr(i);
      break;
    }
    auto between = v.substr(i, start - i);
    if (!(last_was_word && trim(between).empty())) out += between;
    std::string charset(v.substr(start + 2, q1 - start - 2));
    if (size_t star = charset.find('*'); star != std::string::npos) charset.resize(star);
    char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(v[q1 + 1])));
    auto payload = v.substr(q2 + 1, end - q2 - 1);
    std::string raw = enc == 'B' ? decode_base64(payload) : decode_qp(payload, true);
    out += to_utf8(raw, charset);
    i = end + 2;
    last_was_word = true;
  }
  return sanitize_utf8(out);
}

struct Part {
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string_view body;
};

Part split_part(std::string_view data, bool top) {
  Part p;
  size_t pos = 0;
  std::string name;
  std::string value;
  auto commit = [&] {
    if (!name.empty() && p.headers.count(name) == 0) p.headers[name] = trim(value);
    name.clear();
    value.clear();
  };
  size_t lineno = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) nl = data.size();
    auto line = data.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    ++lineno;
    if (line.empty()) {
      commit();
      p.body = pos <= data.size() ? data.substr(pos) : std::string_view();
      return p;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !name.empty()) {
      value += " " + trim(line);
      continue;
    }
    size_t colon = line.find(':');
    bool valid = colon != std::string_view::npos && colon > 0 &&
                 line.substr(0, colon).find_first_of(" \t") == std::string_view::npos;
    if (!valid) {
      if (top && lineno == 1) throw InputError("not an e-mail: line 1 is not a header");
      if (top) throw InputError("malformed header on line " + std::to_string(lineno));
      // A part without headers starts with its body.
      commit();
      p.body = data.substr(pos - line.size() - 1 - (data[nl - 1] == '\r' ? 1 : 0));
      return p;
    }
    commit();
    name = lower(std::string(line.substr(0, colon)));
    value = std::string(line.substr(colon + 1));
  }
  commit();
  if (top) throw InputError("no blank line between the headers and the body");
  return p;
}

// "text/plain; charset=\"iso-8859-1\"" → type and parameters.
std::string header_param(const std::string& header, const std::string& key) {
  std::string l = lower(header);
  size_t pos = 0;
  while ((pos = l.find(key, pos)) != std::string::npos) {
    bool boundary_ok = pos == 0 || l[pos - 1] == ';' || l[pos - 1] == ' ' || l[pos - 1] == '\t';
    size_t eq = pos + key.size();
    while (eq < l.size() && l[eq] == ' ') ++eq;
    if (!boundary_ok || eq >= l.size() || l[eq] != '=') {
      pos += key.size();
      continue;
    }
    size_t v = eq + 1;
    while (v < header.size() && header[v] == ' ') ++v;
    if (v < header.size() && header[v] == '"') {
      size_t close = header.find('"', v + 1);
      return header.substr(v + 1, (close == std::string::npos ? header.size() : close) - v - 1);
    }
    size_t end = header.find_first_of("; \t", v);
    return header.substr(v, (end == std::string::npos ? header.size() : end) - v);
  }
  return "";
}

struct Collected {
  std::vector<std::string> texts;
  std::vector<std::string> attachments;
};

void collect(const Part& part, int depth, Collected& out);

std::string decode_body(const Part& part) {
  std::string cte = part.headers.count("content-transfer-encoding")
                        ? lower(part.headers.at("content-transfer-encoding"))
                        : "";
  std::string raw;
  if (cte.find("base64") != std::string::npos) {
    raw = decode_base64(part.body);
  } else if (cte.find("quoted-printable") != std::string::npos) {
    raw = decode_qp(part.body, false);
  } else {
    raw = std::string(part.body);
  }
  std::string ct = part.headers.count("content-type") ? part.headers.at("content-type") : "";
  return to_utf8(raw, header_param(ct, "charset"));
}

void collect_multipart(const Part& part, const std::string& ct, int depth, Collected& out) {
  std::string boundary = header_param(ct, "boundary");
  if (boundary.empty()) throw InputError("multipart part without a boundary parameter");
  std::string delim = "--" + boundary;
  std::vector<std::string_view> parts;
  std::string_view body = part.body;
  size_t pos = 0;
  size_t start = std::string_view::npos;
  bool closed = false;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    auto line = body.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, delim.size()) == delim) {
      auto rest = line.substr(delim.size());
      if (start != std::string_view::npos) {
        size_t end = pos > start ? pos - 1 : start;  // drop the CRLF before the delimiter
        if (end > start && body[end - 1] == '\r') --end;
        parts.push_back(body.substr(start, end - start));
      }
      if (rest.substr(0, 2) == "--") {
        closed = true;
        break;
      }
      start = nl + 1;
    }
    pos = nl + 1;
  }
  if (parts.empty() && start == std::string_view::npos) {
    throw InputError("multipart boundary \"" + boundary + "\" never appears in the body");
  }
  if (!closed && start != std::string_view::npos && start < body.size()) {
    parts.push_back(body.substr(start));  // tolerate a missing closing delimiter
  }
  // A delimiter at the very end, or only a closing one: nothing to read (and nothing to
  // pick among alternatives).
  if (parts.empty()) throw InputError("multipart body \"" + boundary + "\" holds no part");
  bool alternative = lower(ct).find("multipart/alternative") != std::string::npos;
  std::vector<Collected> sub(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) collect(split_part(parts[i], false), depth + 1, sub[i]);
  if (alternative) {
    // The first plain-text alternative; otherwise the last (the richest) one.
    size_t pick = parts.size() - 1;
    for (size_t i = 0; i < parts.size(); ++i) {
      auto p = split_part(parts[i], false);
      std::string t =
          p.headers.count("content-type") ? lower(p.headers.at("content-type")) : "text/plain";
      if (t.rfind("text/plain", 0) == 0) {
        pick = i;
        break;
      }
    }
    out.texts.insert(out.texts.end(), sub[pick].texts.begin(), sub[pick].texts.end());
    for (auto& s : sub)
      out.attachments.insert(out.attachments.end(), s.attachments.begin(), s.attachments.end());
    return;
  }
  for (auto& s : sub) {
    out.texts.insert(out.texts.end(), s.texts.begin(), s.texts.end());
    out.attachments.insert(out.attachments.end(), s.attachments.begin(), s.attachments.end());
  }
}

void collect(const Part& part, int depth, Collected& out) {
  if (depth > kMaxDepth) throw InputError("MIME parts nested too deeply");
  std::string ct =
      part.headers.count("content-type") ? part.headers.at("content-type") : "text/plain";
  std::string type = lower(trim(ct.substr(0, ct.find(';'))));
  std::string disposition =
      part.headers.count("content-disposition") ? part.headers.at("content-disposition") : "";
  if (lower(disposition).rfind("attachment", 0) == 0) {
    std::string name = header_param(disposition, "filename");
    out.attachments.push_back(name.empty() ? type : decode_words(name));
    return;
  }
  if (type.rfind("multipart/", 0) == 0) {
    collect_multipart(part, ct, depth, out);
  } else if (type == "text/plain" || type.empty()) {
    out.texts.push_back(decode_body(part));
  } else if (type == "text/html") {
    out.texts.push_back(html_to_text(decode_body(part)));
  } else if (type == "message/rfc822") {
    collect(split_part(part.body, false), depth + 1, out);
  } else {
    std::string name = header_param(ct, "name");
    out.attachments.push_back(name.empty() ? type : decode_words(name));
  }
}

}  // namespace

ParsedDocument parse_eml(std::string_view data) {
  Part top = split_part(data, true);
  ParsedDocument d;
  std::string header_block;
  for (const char* h : {"from", "to", "cc", "subject", "date"}) {
    auto it = top.headers.find(h);
    if (it == top.headers.end()) continue;
    std::string v = decode_words(it->second);
    d.metadata[h] = v;
    std::string label(h);
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    header_block.append(label).append(": ").append(v).append("\n");
  }
  if (top.headers.count("from") == 0 && top.headers.count("subject") == 0 &&
      top.headers.count("content-type") == 0) {
    throw InputError("not an e-mail: no From, Subject or Content-Type header");
  }
  d.title = d.metadata.value("subject", "");
  Collected c;
  collect(top, 0, c);
  std::string text = header_block;
  for (const auto& t : c.texts) text += "\n" + t;
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  d.sections.push_back({"", "", text});
  if (!c.attachments.empty()) d.metadata["attachments"] = c.attachments;
  return d;
}

}  // namespace tq::rag
