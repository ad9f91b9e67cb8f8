// Cross-check with an independent GGUF implementation: @huggingface/gguf (JavaScript),
// run through tests/js/gguf_check.mjs. Files our writer produces must read the same there
// (metadata types and values, tensor names, types, shapes, offsets), and gold files must
// read the same in both readers. Skips when node or tests/js/node_modules is missing
// (run `npm ci` in tests/js); REQUIRE_NODE=1 turns the skip into a failure.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "engine/gguf/gguf.h"
#include "engine/gguf_test_support.h"
#include "support/gold.h"

namespace tq {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kJsDir = fs::path(TQ_SOURCE_DIR) / "tests" / "js";

bool require_node() {
  const char* env = std::getenv("REQUIRE_NODE");
  return env != nullptr && std::string(env) == "1";
}

std::string missing_node_reason() {
  if (std::system("node --version > /dev/null 2>&1") != 0) return "node is not on PATH";
  if (!fs::exists(kJsDir / "node_modules" / "@huggingface" / "gguf"))
    return (kJsDir / "node_modules").string() + " is missing (run `npm ci` in tests/js)";
  return "";
}

#define TQ_REQUIRE_NODE()                                        \
  do {                                                           \
    const std::string why = missing_node_reason();               \
    if (!why.empty()) {                                          \
      if (require_node()) FAIL() << why << " (REQUIRE_NODE=1)";  \
      GTEST_SKIP() << "independent reader unavailable: " << why; \
    }                                                            \
  } while (0)

json run_js_reader(const fs::path& file) {
  const std::string cmd =
      "node '" + (kJsDir / "gguf_check.mjs").string() + "' '" + file.string() + "' 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int rc = ::pclose(p);
  if (rc != 0)
    throw std::runtime_error("gguf_check.mjs failed (" + std::to_string(rc) + "): " + out);
  return json::parse(out);
}

// The JS reader prints 64-bit integers beyond 2^53 as decimal strings.
template <class T>
bool int_matches(const json& j, T v) {
  if (j.is_string()) return j.get<std::string>() == std::to_string(v);
  if (j.is_number_unsigned()) return std::cmp_equal(j.get<uint64_t>(), v);
  if (j.is_number_integer()) return std::cmp_equal(j.get<int64_t>(), v);
  return false;
}

template <class T>
bool element_matches(const json& j, const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return j.is_string() && j.get<std::string>() == v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return j.is_boolean() && j.get<bool>() == v;
  } else if constexpr (std::is_floating_point_v<T>) {
    // float32 widens to double exactly in JS, and JSON round-trips doubles.
    return j.is_number() && j.get<double>() == static_cast<double>(v);
  } else {
    return int_matches(j, v);
  }
}

void expect_value_matches(const std::string& key, const GgufValue& v, const json& j) {
  ASSERT_TRUE(j.is_object()) << "JS reader lacks key " << key;
  EXPECT_EQ(j.at("type").get<uint32_t>(), static_cast<uint32_t>(v.type)) << key;
  if (!v.is_array()) {
    std::visit(
        [&](const auto& x) {
          EXPECT_TRUE(element_matches(j.at("value"), x)) << key << ": JS reads " << j.at("value");
        },
        v.scalar);
    return;
  }
  EXPECT_EQ(j.at("subType").get<uint32_t>(), static_cast<uint32_t>(v.array_type)) << key;
  const json& arr = j.at("value");
  ASSERT_TRUE(arr.is_array()) << key;
  ASSERT_EQ(arr.size(), v.array_size()) << key;
  std::visit(
      [&](const auto& a) {
        for (size_t i = 0; i < a.size(); ++i) {
          const auto elem = a[i];  // vector<bool> hands out proxies; take a value
          if (!element_matches(arr[i], elem)) {
            ADD_FAILURE() << key << "[" << i << "]: JS reads " << arr[i];
            return;
          }
        }
      },
      v.array);
}

void expect_same_as_js(const GgufFile& f, const json& js) {
  EXPECT_EQ(js.at("version").get<uint32_t>(), f.version());
  EXPECT_TRUE(js.at("little_endian").get<bool>());
  EXPECT_EQ(js.at("kv_count").get<uint64_t>(), f.metadata().size());
  EXPECT_EQ(js.at("tensor_count").get<uint64_t>(), f.tensors().size());
  if (!f.tensors().empty()) {
    EXPECT_EQ(js.at("tensor_data_offset").get<uint64_t>(), f.data_offset());
  }
  const json& meta = js.at("metadata");
  EXPECT_EQ(meta.size(), f.metadata().size());
  for (const auto& [key, v] : f.metadata()) {
    SCOPED_TRACE(key);
    expect_value_matches(key, v, meta.contains(key) ? meta.at(key) : json());
  }
  const json& tensors = js.at("tensors");
  ASSERT_EQ(tensors.size(), f.tensors().size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const GgufTensorInfo& t = f.tensors()[i];
    const json& jt = tensors[i];
    EXPECT_EQ(jt.at("name").get<std::string>(), t.name);
    EXPECT_EQ(jt.at("type").get<uint32_t>(), static_cast<uint32_t>(t.type)) << t.name;
    EXPECT_EQ(jt.at("shape").get<std::vector<int64_t>>(), t.ne) << t.name;
    EXPECT_TRUE(int_matches(jt.at("offset"), t.offset)) << t.name;
  }
}

TEST(GgufIndependentReader, ReadsWhatOurWriterWrites) {
  TQ_REQUIRE_NODE();
  const auto path = test::gguf_temp_path("js_sample");
  test::sample_writer().write(path.string());
  const auto f = GgufFile::open(path.string());
  const json js = run_js_reader(path);
  expect_same_as_js(*f, js);
  std::cout << "@huggingface/gguf read " << js.at("metadata").size() << " keys and "
            << js.at("tensors").size() << " tensors as written\n";
  fs::remove(path);
}

TEST(GgufIndependentReader, AgreesWithOurReaderOnGoldFiles) {
  TQ_REQUIRE_NODE();
  for (const char* rel : {"models/stories260K.gguf", "models/llama-spm-q4_k_m.gguf",
                          "models/qwen2-896-q4_k_m.gguf", "vocab/ggml-vocab-bert-bge.gguf"}) {
    const fs::path path = test::gold_dir() / rel;
    TQ_REQUIRE_PATH(path);
    SCOPED_TRACE(rel);
    expect_same_as_js(*GgufFile::open(path.string()), run_js_reader(path));
  }
}

}  // namespace
}  // namespace tq
