// IPv4 (four decimal octets 0-255, no leading zeros) and IPv6 (RFC 4291 text forms:
// eight groups, one "::" compression, an embedded IPv4 tail; RFC 5952 lower case or not).
#include "guard/recogniser.h"
#include "guard/text_util.h"

namespace tq::guard {
namespace {

using namespace text;

bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// End of an IPv4 address starting at i, or 0.
size_t parse_ipv4(std::string_view t, size_t i) {
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (i >= t.size() || t[i] != '.') return 0;
      ++i;
    }
    size_t n = 0;
    int v = 0;
    while (i + n < t.size() && is_digit(t[i + n]) && n < 4) v = v * 10 + (t[i + n++] - '0');
    if (n == 0 || n > 3 || v > 255 || (n > 1 && t[i] == '0')) return 0;
    i += n;
  }
  return i;
}

// End of an IPv6 address starting at i, or 0.
size_t parse_ipv6(std::string_view t, size_t i) {
  int groups = 0;
  bool compressed = false;
  bool has_digit = false;
  size_t pos = i;
  if (t.substr(pos, 2) == "::") {
    compressed = true;
    pos += 2;
  }
  size_t end = compressed ? pos : 0;
  while (pos < t.size()) {
    // An IPv4 tail may take the place of the last two groups.
    if (groups <= 6 && (compressed || groups == 6)) {
      if (const size_t v4 = parse_ipv4(t, pos);
          v4 != 0 && !is_word_at(t, v4) && !(v4 < t.size() && t[v4] == '.')) {
        groups += 2;
        end = v4;
        has_digit = true;
        break;
      }
    }
    size_t n = 0;
    while (pos + n < t.size() && is_hex(t[pos + n]) && n < 5) {
      has_digit = has_digit || is_digit(t[pos + n]);
      ++n;
    }
    if (n == 0 || n > 4) break;
    ++groups;
    pos += n;
    end = pos;
    if (groups == 8) break;
    if (t.substr(pos, 2) == "::") {
      if (compressed) break;
      compressed = true;
      pos += 2;
      end = pos;
    } else if (pos < t.size() && t[pos] == ':') {
      ++pos;
    } else {
      break;
    }
  }
  if (!has_digit || groups == 0) return 0;
  if (compressed ? groups > 7 : groups != 8) return 0;
  if (end < t.size() && (is_word_at(t, end) || t[end] == ':')) return 0;
  return end;
}

class IpRecogniser final : public Recogniser {
 public:
  void scan(std::string_view t, std::vector<Entity>& out) const override {
    for (size_t i = 0; i < t.size(); ++i) {
      const char c = t[i];
      if (!is_hex(c) && c != ':') continue;
      if (i > 0 && (is_word_at(t, i - 1) || t[i - 1] == ':' || t[i - 1] == '.')) continue;
      if (is_digit(c)) {
        if (const size_t e = parse_ipv4(t, i);
            e != 0 && !is_word_at(t, e) &&
            !(e + 1 < t.size() && t[e] == '.' && is_digit(t[e + 1]))) {
          // "firmware 3.2.10.4", "Release 2.14.3.1": four-part version numbers.
          if (!context_before(t, i, 24,
                              {"version", "firmware", "release", "build", "patch", "update",
                               "mise à jour", "logiciel", "software"}))
            emit(out, EntityType::Ip, t, i, e, 0.9);
          i = e;
          continue;
        }
      }
      // IPv6 needs a colon within its first group.
      bool colon = false;
      for (size_t k = i; k < t.size() && k < i + 5 && !colon; ++k) colon = t[k] == ':';
      if (!colon) continue;
      if (const size_t e = parse_ipv6(t, i); e != 0) {
        emit(out, EntityType::Ip, t, i, e, 0.9);
        i = e;
      }
    }
  }
};

}  // namespace

std::unique_ptr<Recogniser> make_ip_recogniser() {
  return std::make_unique<IpRecogniser>();
}

}  // namespace tq::guard
