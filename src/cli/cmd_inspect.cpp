// triptyque inspect FILE [--json]: what a GGUF file holds — header, metadata, tensor table —
// without loading a model. Long arrays (vocabularies, merges) are summarised by their first
// elements so the output stays readable; --json gives the same view for scripts.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <variant>

#include "cli/commands.h"
#include "engine/gguf/gguf.h"

namespace tq::cli {
namespace {

constexpr size_t kShownElements = 8;     // arrays up to this long print in full
constexpr size_t kSummaryElements = 3;   // longer ones print this many, then "…"
constexpr size_t kMaxStringBytes = 160;  // chat templates run to kilobytes
constexpr size_t kJsonHeadElements = 8;

struct InspectOptions {
  std::string file;
  bool json = false;
};

// Shortest text that reads back to the same float/double.
template <class T>
std::string number_text(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), x);
    return std::string(buf, r.ptr);
  } else if constexpr (std::is_same_v<T, bool>) {
    return x ? "true" : "false";
  } else {
    return std::to_string(x);
  }
}

// Quoted with control bytes escaped, so a token like "\n" or a template stays on one line.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  const size_t n = std::min(s.size(), kMaxStringBytes);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  if (s.size() > n) out += "… (" + std::to_string(s.size()) + " bytes)";
  return out;
}

template <class T>
std::string element_text(const T& x) {
  if constexpr (std::is_same_v<T, std::string>)
    return quoted(x);
  else
    return number_text(x);
}

std::string value_text(const GgufValue& v) {
  if (!v.is_array()) return std::visit([](const auto& x) { return element_text(x); }, v.scalar);
  return std::visit(
      [&](const auto& a) {
        const bool summarise = a.size() > kShownElements;
        const size_t n = summarise ? kSummaryElements : a.size();
        std::string out = summarise ? "[" + std::to_string(a.size()) + " × " +
                                          std::string(gguf_type_name(v.array_type)) + "] "
                                    : "[";
        for (size_t i = 0; i < n; ++i) {
          using T = typename std::decay_t<decltype(a)>::value_type;
          out += (i ? ", " : "") + element_text(static_cast<T>(a[i]));
        }
        return out + (summarise ? ", …" : "]");
      },
      v.array);
}

std::string shape_text(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

std::string size_text(uint64_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%llu bytes (%.2f MiB)", static_cast<unsigned long long>(bytes),
                static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

void print_human(const GgufFile& f) {
  std::printf("file:        %s\n", f.path().c_str());
  std::printf("version:     %u\n", f.version());
  std::printf("alignment:   %llu\n", static_cast<unsigned long long>(f.alignment()));
  std::printf("tensors:     %zu\n", f.tensors().size());
  std::printf("file size:   %s\n", size_text(f.file_size()).c_str());
  std::printf("data offset: %llu\n", static_cast<unsigned long long>(f.data_offset()));
  std::printf("\nmetadata (%zu keys):\n", f.metadata().size());
  for (const auto& [key, value] : f.metadata())
    std::printf("  %s = %s\n", key.c_str(), value_text(value).c_str());
  if (f.tensors().empty()) return;

  size_t name_w = 4, shape_w = 5;
  for (const auto& t : f.tensors()) {
    name_w = std::max(name_w, t.name.size());
    shape_w = std::max(shape_w, shape_text(t.ne).size());
  }
  const int nw = static_cast<int>(name_w), sw = static_cast<int>(shape_w);
  std::printf("\n  %-*s  %-6s  %-*s  %12s  %12s\n", nw, "name", "type", sw, "shape", "offset",
              "size");
  for (const auto& t : f.tensors())
    std::printf("  %-*s  %-6s  %-*s  %12llu  %12llu\n", nw, t.name.c_str(),
                std::string(type_name(t.type)).c_str(), sw, shape_text(t.ne).c_str(),
                static_cast<unsigned long long>(t.offset),
                static_cast<unsigned long long>(t.nbytes));
}

nlohmann::ordered_json value_json(const GgufValue& v) {
  if (!v.is_array())
    return std::visit([](const auto& x) { return nlohmann::ordered_json(x); }, v.scalar);
  nlohmann::ordered_json head = nlohmann::ordered_json::array();
  std::visit(
      [&](const auto& a) {
        using T = typename std::decay_t<decltype(a)>::value_type;
        for (size_t i = 0; i < std::min(a.size(), kJsonHeadElements); ++i)
          head.push_back(static_cast<T>(a[i]));
      },
      v.array);
  return {{"type", "array"},
          {"element_type", gguf_type_name(v.array_type)},
          {"length", v.array_size()},
          {"head", std::move(head)}};
}

void print_json(const GgufFile& f) {
  nlohmann::ordered_json j;  // ordered: metadata keys stay in file order
  j["file"] = f.path();
  j["version"] = f.version();
  j["alignment"] = f.alignment();
  j["file_size"] = f.file_size();
  j["data_offset"] = f.data_offset();
  j["metadata"] = nlohmann::ordered_json::object();
  for (const auto& [key, value] : f.metadata()) j["metadata"][key] = value_json(value);
  j["tensors"] = nlohmann::ordered_json::array();
  for (const auto& t : f.tensors())
    j["tensors"].push_back({{"name", t.name},
                            {"type", type_name(t.type)},
                            {"shape", t.ne},
                            {"offset", t.offset},
                            {"nbytes", t.nbytes}});
  // Metadata strings are raw bytes; invalid UTF-8 is shown as U+FFFD rather than failing.
  const std::string text = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::printf("%s\n", text.c_str());
}

int run_inspect(const InspectOptions& o) {
  const auto f = GgufFile::open(o.file);
  if (o.json)
    print_json(*f);
  else
    print_human(*f);
  return kExitOk;
}

}  // namespace

Action register_inspect(CLI::App& app) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd =
      app.add_subcommand("inspect", "Show a GGUF file's header, metadata and tensor table");
  cmd->add_option("file", o->file, "GGUF file")->required();
  cmd->add_flag("--json", o->json,
                "Print {\"file\", \"version\", \"alignment\", \"metadata\", \"tensors\"} as JSON");
  return [o] { return run_inspect(*o); };
}

}  // namespace tq::cli
