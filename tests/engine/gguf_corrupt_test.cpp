// The bad-input corpus: hand-built corruptions of every field, truncations at every byte
// of the header region, bit flips, and patched gold files. Each must end in InputError or
// UnsupportedError naming the file — never a crash, std::bad_alloc or another exception.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <random>

#include "core/error.h"
#include "engine/gguf/gguf.h"
#include "engine/gguf_test_support.h"
#include "support/gold.h"

namespace tq {
namespace {

constexpr uint64_t kHuge = 1ull << 60;

// Builds GGUF bytes field by field, so a case can put any value in any field.
struct Raw {
  std::string b;
  Raw& u8(uint8_t v) { return put(v); }
  Raw& u32(uint32_t v) { return put(v); }
  Raw& u64(uint64_t v) { return put(v); }
  Raw& str(std::string_view s) {
    u64(s.size());
    b += s;
    return *this;
  }
  Raw& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    b += "GGUF";
    return u32(version).u64(n_tensors).u64(n_kv);
  }
  Raw& kv_u32(std::string_view key, uint32_t v) { return str(key).u32(4).u32(v); }
  Raw& kv_str(std::string_view key, std::string_view v) { return str(key).u32(8).str(v); }
  Raw& tensor(std::string_view name, std::vector<uint64_t> ne, uint32_t type, uint64_t off) {
    str(name).u32(static_cast<uint32_t>(ne.size()));
    for (uint64_t d : ne) u64(d);
    return u32(type).u64(off);
  }
  Raw& pad(size_t a = 32) {
    b.resize((b.size() + a - 1) / a * a, '\0');
    return *this;
  }
  Raw& zeros(size_t n) {
    b.append(n, '\0');
    return *this;
  }
  template <class T>
  Raw& put(T v) {
    b.append(reinterpret_cast<const char*>(&v), sizeof(T));
    return *this;
  }
};

// One valid file: two keys and an 8×2 F32 tensor (64 bytes). Cases below vary one field.
Raw valid_prefix_kv(uint64_t n_tensors = 1, uint64_t n_kv = 2) {
  Raw r;
  r.header(n_tensors, n_kv).kv_str("general.architecture", "llama").kv_u32("x.count", 7);
  return r;
}
std::string valid_file() {
  return valid_prefix_kv().tensor("w", {8, 2}, 0, 0).pad().zeros(64).b;
}

enum class Want { Input, Unsupported, Either };

// Parses `bytes` as file `name`; returns the error message, or "" when it parsed.
// Any exception other than our two classes fails the test.
std::string parse_error(const std::string& name, const std::string& bytes, Want want,
                        bool must_fail = true) {
  std::string msg;
  bool input = false, unsupported = false;
  try {
    auto f = GgufFile::open_memory(name, bytes.data(), bytes.size());
    // Walk everything a caller would: typed getters and tensor data.
    for (const auto& [key, v] : f->metadata()) {
      try {
        (void)f->get_float(key);
      } catch (const InputError&) {
      }
    }
    uint64_t sum = 0;
    for (const auto& t : f->tensors())
      if (t.nbytes) sum += static_cast<const uint8_t*>(t.data)[t.nbytes - 1];
    (void)sum;
  } catch (const UnsupportedError& e) {
    msg = e.what();
    unsupported = true;
  } catch (const InputError& e) {
    msg = e.what();
    input = true;
  } catch (const std::bad_alloc&) {
    ADD_FAILURE() << name << ": std::bad_alloc — a count was trusted before it was checked";
    return "bad_alloc";
  } catch (const std::exception& e) {
    ADD_FAILURE() << name << ": unexpected exception type: " << e.what();
    return e.what();
  }
  if (!input && !unsupported) {
    if (must_fail) ADD_FAILURE() << name << ": corrupt input was accepted";
    return "";
  }
  if (want == Want::Input) {
    EXPECT_TRUE(input) << name << ": expected InputError, got: " << msg;
  } else if (want == Want::Unsupported) {
    EXPECT_TRUE(unsupported) << name << ": expected UnsupportedError, got: " << msg;
  }
  EXPECT_EQ(msg.rfind(name + ": ", 0), 0u) << "message must start with the file name: " << msg;
  EXPECT_GT(msg.size(), name.size() + 10) << msg;
  return msg;
}

struct Case {
  std::string name;
  std::string bytes;
  Want want;
  std::string must_mention;
};

std::vector<Case> targeted_cases() {
  const std::string ok = valid_file();
  auto with_version = [&](uint32_t v) {
    std::string b = ok;
    std::memcpy(b.data() + 4, &v, 4);
    return b;
  };
  std::vector<Case> c;
  c.push_back({"empty", "", Want::Input, "too small"});
  c.push_back({"short-header", ok.substr(0, 20), Want::Input, "too small"});
  c.push_back({"bad-magic", "GGML" + ok.substr(4), Want::Input, "magic"});
  c.push_back({"version-1", with_version(1), Want::Unsupported, "version 1"});
  c.push_back({"version-4", with_version(4), Want::Unsupported, "version 4"});
  c.push_back({"big-endian", with_version(0x03000000u), Want::Unsupported, "big-endian"});
  c.push_back({"huge-tensor-count", valid_prefix_kv(kHuge).b, Want::Input, "tensor count"});
  c.push_back({"huge-kv-count", valid_prefix_kv(1, kHuge).b, Want::Input, "kv count"});
  c.push_back(
      {"huge-key-length", Raw().header(0, 1).u64(kHuge).zeros(64).b, Want::Input, "length"});
  c.push_back({"huge-string-value", Raw().header(0, 1).str("k").u32(8).u64(kHuge).zeros(64).b,
               Want::Input, "'k'"});
  c.push_back({"huge-array-u8", Raw().header(0, 1).str("k").u32(9).u32(0).u64(kHuge).zeros(64).b,
               Want::Input, "array length"});
  c.push_back({"huge-array-u64",
               Raw().header(0, 1).str("k").u32(9).u32(10).u64(1ull << 62).zeros(64).b, Want::Input,
               "array length"});
  c.push_back({"huge-array-string",
               Raw().header(0, 1).str("k").u32(9).u32(8).u64(kHuge).zeros(64).b, Want::Input,
               "array length"});
  c.push_back({"huge-array-bool", Raw().header(0, 1).str("k").u32(9).u32(7).u64(kHuge).zeros(64).b,
               Want::Input, "array length"});
  c.push_back({"huge-element-string",
               Raw().header(0, 1).str("k").u32(9).u32(8).u64(2).str("a").u64(kHuge).zeros(64).b,
               Want::Input, "'k'"});
  c.push_back({"unknown-value-type", Raw().header(0, 1).str("k").u32(13).u32(0).zeros(64).b,
               Want::Input, "value type 13"});
  c.push_back({"unknown-element-type",
               Raw().header(0, 1).str("k").u32(9).u32(99).u64(1).zeros(64).b, Want::Input, "99"});
  c.push_back({"nested-array", Raw().header(0, 1).str("nest").u32(9).u32(9).u64(1).zeros(64).b,
               Want::Unsupported, "'nest'"});
  c.push_back({"bad-bool", Raw().header(0, 1).str("flag").u32(7).u8(2).zeros(64).b, Want::Input,
               "found 2"});
  c.push_back({"bad-bool-in-array",
               Raw().header(0, 1).str("flags").u32(9).u32(7).u64(3).u8(1).u8(0).u8(7).zeros(64).b,
               Want::Input, "'flags'"});
  c.push_back({"empty-key", Raw().header(0, 1).kv_u32("", 1).zeros(64).b, Want::Input, "empty"});
  c.push_back({"duplicate-key", Raw().header(0, 2).kv_u32("a", 1).kv_u32("a", 2).zeros(64).b,
               Want::Input, "duplicate"});
  for (uint32_t a : {0u, 3u, 48u})
    c.push_back({"alignment-" + std::to_string(a),
                 Raw().header(0, 1).kv_u32("general.alignment", a).zeros(64).b, Want::Input,
                 "general.alignment"});
  c.push_back({"alignment-as-string",
               Raw().header(0, 1).kv_str("general.alignment", "32").zeros(64).b, Want::Input,
               "uint32"});
  c.push_back({"n-dims-5", valid_prefix_kv().tensor("w", {1, 1, 1, 1, 1}, 0, 0).pad().zeros(64).b,
               Want::Input, "n_dims"});
  c.push_back({"n-dims-0", valid_prefix_kv().tensor("w", {}, 0, 0).pad().zeros(64).b, Want::Input,
               "n_dims"});
  c.push_back({"unknown-tensor-type",
               valid_prefix_kv().tensor("w", {8, 2}, 99, 0).pad().zeros(64).b, Want::Unsupported,
               "'w'"});
  c.push_back({"negative-dim", valid_prefix_kv().tensor("w", {8, ~0ull}, 0, 0).pad().zeros(64).b,
               Want::Input, "'w'"});
  c.push_back({"partial-block", valid_prefix_kv().tensor("w", {30, 1}, 2, 0).pad().zeros(64).b,
               Want::Input, "block size"});
  c.push_back({"shape-overflow",
               valid_prefix_kv().tensor("w", {1ull << 40, 1ull << 40}, 0, 0).pad().zeros(64).b,
               Want::Input, "overflow"});
  // Found by fuzz_gguf: zero-length rows keep the element count at 0 while rows overflow.
  c.push_back({"row-count-overflow",
               valid_prefix_kv().tensor("w", {0, 1ull << 62, 4}, 0, 0).pad().zeros(64).b,
               Want::Input, "overflow"});
  c.push_back({"offset-past-end", valid_prefix_kv().tensor("w", {8, 2}, 0, 4096).pad().zeros(64).b,
               Want::Input, "runs past the end"});
  c.push_back({"offset-wraps",
               valid_prefix_kv().tensor("w", {8, 2}, 0, ~0ull - 31).pad().zeros(64).b, Want::Input,
               "runs past the end"});
  c.push_back({"offset-unaligned", valid_prefix_kv().tensor("w", {8, 2}, 0, 4).pad().zeros(96).b,
               Want::Input, "alignment"});
  c.push_back({"data-too-short", valid_prefix_kv().tensor("w", {8, 2}, 0, 0).pad().zeros(63).b,
               Want::Input, "runs past the end"});
  c.push_back({"no-data-section", valid_prefix_kv().tensor("w", {8, 2}, 0, 0).b, Want::Input,
               "past the end"});
  c.push_back({"duplicate-tensor",
               valid_prefix_kv(2).tensor("w", {8}, 0, 0).tensor("w", {8}, 0, 32).pad().zeros(64).b,
               Want::Input, "duplicate"});
  c.push_back({"empty-tensor-name", valid_prefix_kv().tensor("", {8}, 0, 0).pad().zeros(64).b,
               Want::Input, "empty"});
  return c;
}

TEST(GgufCorrupt, BaselineOfTheTargetedCasesIsValid) {
  const std::string ok = valid_file();
  const auto f = GgufFile::open_memory("baseline.gguf", ok.data(), ok.size());
  EXPECT_EQ(f->tensors().size(), 1u);
  EXPECT_EQ(f->get_uint("x.count"), 7u);
}

TEST(GgufCorrupt, EveryTargetedCorruptionIsRejectedWithAMessage) {
  std::cout << "example messages:\n";
  for (const auto& c : targeted_cases()) {
    const std::string name = c.name + ".gguf";
    const std::string msg = parse_error(name, c.bytes, c.want);
    EXPECT_NE(msg.find(c.must_mention), std::string::npos)
        << c.name << ": message should mention '" << c.must_mention << "': " << msg;
    std::cout << "  " << msg << "\n";
  }
}

TEST(GgufCorrupt, TargetedCorruptionsThroughTheMmapPath) {
  for (const auto& c : targeted_cases()) {
    const auto path = test::gguf_temp_path(c.name);
    std::ofstream(path, std::ios::binary)
        .write(c.bytes.data(), static_cast<std::streamsize>(c.bytes.size()));
    try {
      GgufFile::open(path.string());
      ADD_FAILURE() << c.name << ": accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path.string(), 0), 0u) << e.what();
    } catch (const UnsupportedError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path.string(), 0), 0u) << e.what();
    }
    std::filesystem::remove(path);
  }
}

// Truncation anywhere before the end of the last tensor's data must be caught.
void check_truncations(const std::string& label, const std::string& bytes, uint64_t header_end,
                       uint64_t data_end, size_t data_step) {
  int rejected = 0;
  for (uint64_t n = 0; n < data_end; n += (n < header_end ? 1 : data_step)) {
    parse_error(label + "[:" + std::to_string(n) + "]", bytes.substr(0, n), Want::Either);
    ++rejected;
  }
  std::cout << label << ": " << rejected << " truncations rejected\n";
}

uint64_t data_end(const GgufFile& f) {
  uint64_t end = f.data_offset();
  for (const auto& t : f.tensors()) end = std::max(end, f.data_offset() + t.offset + t.nbytes);
  return end;
}

TEST(GgufCorrupt, TruncationsOfAWrittenFile) {
  const auto path = test::gguf_temp_path("trunc");
  test::sample_writer().write(path.string());
  const std::string bytes = test::read_file(path);
  const auto f = GgufFile::open(path.string());
  check_truncations("sample.gguf", bytes, f->data_offset(), data_end(*f), 7);
}

TEST(GgufCorrupt, BitFlipsNeverCrash) {
  const auto path = test::gguf_temp_path("flips");
  test::sample_writer().write(path.string());
  const std::string bytes = test::read_file(path);
  const auto f = GgufFile::open(path.string());
  int rejected = 0, accepted = 0;
  for (uint64_t i = 0; i < f->data_offset(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string b = bytes;
      b[i] = static_cast<char>(b[i] ^ (1 << bit));
      const std::string msg = parse_error("flip.gguf", b, Want::Either, /*must_fail=*/false);
      (msg.empty() ? accepted : rejected)++;
    }
  }
  // Flips inside string bytes or number values still give valid files; the rest must not.
  std::cout << "bit flips in the header: " << rejected << " rejected, " << accepted
            << " still valid\n";
  EXPECT_GT(rejected, accepted / 4);
}

TEST(GgufCorrupt, GoldFileTruncationsFlipsAndOversizedCounts) {
  const auto path = test::gold_dir() / "models" / "stories260K.gguf";
  TQ_REQUIRE_PATH(path);
  const std::string bytes = test::read_file(path);
  const auto f = GgufFile::open(path.string());
  check_truncations("stories260K.gguf", bytes, f->data_offset(), data_end(*f), 4099);

  std::mt19937 rng(1234);
  int rejected = 0;
  for (int i = 0; i < 300; ++i) {
    std::string b = bytes;
    const size_t at = rng() % f->data_offset();
    b[at] = static_cast<char>(b[at] ^ (1 << (rng() % 8)));
    rejected += !parse_error("stories-flip.gguf", b, Want::Either, false).empty();
  }
  std::cout << "stories260K.gguf: " << rejected << " of 300 header bit flips rejected\n";

  auto patched_u64 = [&](size_t at, uint64_t v) {
    std::string b = bytes;
    std::memcpy(b.data() + at, &v, 8);
    return b;
  };
  parse_error("stories-tensor-count.gguf", patched_u64(8, kHuge), Want::Input);
  parse_error("stories-kv-count.gguf", patched_u64(16, kHuge), Want::Input);
  parse_error("stories-key-length.gguf", patched_u64(24, kHuge), Want::Input);
  // tokenizer.ggml.tokens: key, u32 ARRAY, u32 STRING, then the u64 length.
  const size_t key = bytes.find("tokenizer.ggml.tokens");
  ASSERT_NE(key, std::string::npos);
  const size_t len_at = key + std::strlen("tokenizer.ggml.tokens") + 8;
  std::string msg =
      parse_error("stories-tokens-length.gguf", patched_u64(len_at, kHuge), Want::Input);
  EXPECT_NE(msg.find("tokenizer.ggml.tokens"), std::string::npos) << msg;
  parse_error("stories-tokens-length+1.gguf", patched_u64(len_at, 513), Want::Either);
  std::cout << "  " << msg << "\n";
}

}  // namespace
}  // namespace tq
