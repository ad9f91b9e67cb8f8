// Writer → reader round trips on a file holding every metadata type, the byte-level
// format rules of the files we write, writer validation and the typed getters.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "engine/gguf/gguf.h"
#include "engine/gguf_test_support.h"
#include "support/gold.h"

namespace tq {
namespace {

using test::gguf_temp_path;

uint32_t u32_at(const std::string& b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}
uint64_t u64_at(const std::string& b, size_t off) {
  uint64_t v;
  std::memcpy(&v, b.data() + off, 8);
  return v;
}

std::shared_ptr<GgufFile> write_and_open(const GgufWriter& w, const std::string& stem) {
  const auto path = gguf_temp_path(stem);
  w.write(path.string());
  return GgufFile::open(path.string());
}

TEST(GgufRoundTrip, EveryMetadataTypeAndTensorBytesAreExact) {
  const auto f = write_and_open(test::sample_writer(), "every_type");
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->alignment(), 32u);
  const auto expected = test::sample_metadata();
  ASSERT_EQ(f->metadata().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(f->metadata()[i].first, expected[i].first) << "metadata keeps insertion order";
    EXPECT_TRUE(test::same_value(f->metadata()[i].second, expected[i].second)) << expected[i].first;
  }
  const auto tensors = test::sample_tensors();
  ASSERT_EQ(f->tensors().size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const GgufTensorInfo& t = f->tensors()[i];
    EXPECT_EQ(t.name, tensors[i].name);
    EXPECT_EQ(t.type, tensors[i].type);
    EXPECT_EQ(t.ne, tensors[i].ne);
    const auto bytes = test::sample_tensor_bytes(tensors[i], static_cast<uint32_t>(i));
    ASSERT_EQ(t.nbytes, bytes.size()) << t.name;
    EXPECT_TRUE(bytes.empty() || std::memcmp(t.data, bytes.data(), bytes.size()) == 0) << t.name;
    EXPECT_EQ(f->find_tensor(t.name), &t);
  }
  EXPECT_EQ(f->find_tensor("missing"), nullptr);
  EXPECT_EQ(f->find_tensor("empty.f32")->n_elements(), 0);
  EXPECT_EQ(f->find_tensor("ids.i32")->n_rows(), 2);
}

TEST(GgufRoundTrip, FileFollowsTheFormatRules) {
  const auto path = gguf_temp_path("format");
  test::sample_writer().write(path.string());
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp")) << "temp file left behind";
  const std::string b = test::read_file(path);
  ASSERT_GE(b.size(), 24u);
  EXPECT_EQ(b.substr(0, 4), "GGUF");
  EXPECT_EQ(u32_at(b, 4), 3u);
  EXPECT_EQ(u64_at(b, 8), test::sample_tensors().size());
  EXPECT_EQ(u64_at(b, 16), test::sample_metadata().size());
  const auto f = GgufFile::open(path.string());
  EXPECT_EQ(f->data_offset() % 32, 0u);
  EXPECT_EQ(f->file_size(), b.size());
  uint64_t end = 0;
  for (const auto& t : f->tensors()) {
    EXPECT_EQ(t.offset % 32, 0u) << t.name;
    EXPECT_EQ(static_cast<const char*>(t.data) - static_cast<const char*>(f->tensors()[0].data),
              static_cast<ptrdiff_t>(t.offset - f->tensors()[0].offset))
        << "data pointers are offsets into one mapping";
    EXPECT_EQ(std::memcmp(t.data, b.data() + f->data_offset() + t.offset, t.nbytes), 0);
    end = std::max(end, t.offset + (t.nbytes + 31) / 32 * 32);
  }
  EXPECT_EQ(f->data_offset() + end, b.size()) << "data section is the padded tensors, no more";
}

TEST(GgufRoundTrip, HonoursGeneralAlignment) {
  for (uint32_t a : {1u, 8u, 64u, 4096u}) {
    GgufWriter w = test::sample_writer();
    w.set("general.alignment", GgufValue::of(a));
    const auto f = write_and_open(w, "align");
    EXPECT_EQ(f->alignment(), a);
    EXPECT_EQ(f->data_offset() % a, 0u);
    for (const auto& t : f->tensors()) EXPECT_EQ(t.offset % a, 0u) << t.name << " align " << a;
    const auto* last = f->find_tensor("bf16.weight");
    ASSERT_NE(last, nullptr);
    EXPECT_EQ(
        std::memcmp(last->data, test::sample_tensor_bytes(test::sample_tensors()[6], 6).data(),
                    last->nbytes),
        0);
  }
}

TEST(GgufRoundTrip, SetReplacesInPlace) {
  GgufWriter w;
  w.set("a", GgufValue::of(uint32_t{1}));
  w.set("b", GgufValue::of(std::string("x")));
  w.set("a", GgufValue::of(std::string("replaced")));
  const auto f = write_and_open(w, "replace");
  ASSERT_EQ(f->metadata().size(), 2u);
  EXPECT_EQ(f->metadata()[0].first, "a");
  EXPECT_EQ(f->get_string("a"), "replaced");
  EXPECT_EQ(f->metadata()[1].first, "b");
  EXPECT_TRUE(f->tensors().empty());
}

TEST(GgufRoundTrip, ReadsVersion2) {
  // v2 and v3 share the layout (v3 only added big-endian files, marked by the version).
  const auto path = gguf_temp_path("v2");
  test::sample_writer().write(path.string());
  std::string b = test::read_file(path);
  b[4] = 2;
  const auto f = GgufFile::open_memory("v2.gguf", b.data(), b.size());
  EXPECT_EQ(f->version(), 2u);
  const auto g = GgufFile::open(path.string());
  test::expect_same_contents(*f, *g);
}

TEST(GgufRoundTrip, OpenMemoryMatchesOpen) {
  const auto path = gguf_temp_path("memory");
  test::sample_writer().write(path.string());
  const std::string b = test::read_file(path);
  const auto m = GgufFile::open_memory("mem.gguf", b.data(), b.size());
  const auto f = GgufFile::open(path.string());
  EXPECT_EQ(m->path(), "mem.gguf");
  EXPECT_EQ(m->data_offset(), f->data_offset());
  test::expect_same_contents(*m, *f);
}

TEST(GgufWriterValidation, RejectsInconsistentTensorsAndValues) {
  GgufWriter w;
  std::vector<uint8_t> data(1024);
  EXPECT_THROW(w.add_tensor("x", GgmlType::F32, {4}, data.data(), 15), InputError);
  EXPECT_THROW(w.add_tensor("x", GgmlType::Q4_0, {30}, data.data(), 18), InputError);
  EXPECT_THROW(w.add_tensor("x", GgmlType::F32, {1, 1, 1, 1, 1}, data.data(), 4), InputError);
  EXPECT_THROW(w.add_tensor("x", GgmlType::F32, {}, data.data(), 4), InputError);
  EXPECT_THROW(w.add_tensor("", GgmlType::F32, {1}, data.data(), 4), InputError);
  EXPECT_THROW(w.add_tensor("x", GgmlType::F32, {-1}, data.data(), 0), InputError);
  EXPECT_THROW(w.add_tensor("x", GgmlType::F32, {0, int64_t{1} << 62, 4}, data.data(), 0),
               InputError);
  EXPECT_THROW(w.add_tensor("x", static_cast<GgmlType>(99), {1}, data.data(), 4), UnsupportedError);
  w.add_tensor("x", GgmlType::Q4_0, {32, 2}, data.data(), 36);
  EXPECT_THROW(w.add_tensor("x", GgmlType::F32, {1}, data.data(), 4), InputError);

  GgufValue lying = GgufValue::of(uint32_t{1});
  lying.type = GgufType::STRING;
  EXPECT_THROW(w.set("k", lying), InputError);
  EXPECT_THROW(w.set("", GgufValue::of(true)), InputError);

  GgufWriter bad_align;
  bad_align.set("general.alignment", GgufValue::of(uint32_t{48}));
  EXPECT_THROW(bad_align.write(gguf_temp_path("bad_align").string()), InputError);
  GgufWriter wrong_type_align;
  wrong_type_align.set("general.alignment", GgufValue::of(uint64_t{32}));
  EXPECT_THROW(wrong_type_align.write(gguf_temp_path("bad_align").string()), InputError);
}

TEST(GgufWriterValidation, WriteFailureNamesThePath) {
  const std::string path = "/nonexistent-dir-tq/x.gguf";
  try {
    test::sample_writer().write(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(GgufGetters, ConvertWhenTheValueFitsAndNameTheKeyOtherwise) {
  const auto f = write_and_open(test::sample_writer(false), "getters");
  EXPECT_EQ(f->get_uint("test.u8"), 255u);
  EXPECT_EQ(f->get_uint("test.u32"), 4000000000u);
  EXPECT_EQ(f->get_uint("test.u64"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(f->get_int("test.i8"), -128);
  EXPECT_EQ(f->get_int("test.u32"), 4000000000);
  EXPECT_EQ(f->get_int("test.small_u64"), 42);
  EXPECT_EQ(f->get_int("test.i64"), std::numeric_limits<int64_t>::min());
  EXPECT_THROW(f->get_uint("test.i8"), InputError);   // negative
  EXPECT_THROW(f->get_int("test.u64"), InputError);   // 2^64-1 does not fit int64
  EXPECT_THROW(f->get_uint("test.f32"), InputError);  // not an integer type
  EXPECT_THROW(f->get_uint("test.bool_true"), InputError);
  EXPECT_FLOAT_EQ(static_cast<float>(*f->get_float("test.f32")), 1.5e-6f);
  EXPECT_DOUBLE_EQ(*f->get_float("test.f64"), -2.718281828459045);
  EXPECT_DOUBLE_EQ(*f->get_float("test.i16"), -32768.0);
  EXPECT_THROW(f->get_float("test.string"), InputError);
  EXPECT_EQ(f->get_bool("test.bool_true"), true);
  EXPECT_EQ(f->get_bool("test.bool_false"), false);
  EXPECT_THROW(f->get_bool("test.u8"), InputError);
  EXPECT_EQ(f->get_string("test.string"), "héllo, 日本");
  EXPECT_EQ(f->get_string("test.empty_string"), "");
  EXPECT_THROW(f->get_string("arr.string"), InputError);

  ASSERT_NE(f->get_string_array("arr.string"), nullptr);
  EXPECT_EQ(f->get_string_array("arr.string")->at(2), "▁the");
  EXPECT_THROW(f->get_string_array("arr.i32"), InputError);
  EXPECT_EQ(f->get_float_array("arr.i32"), (std::vector<float>{-1, 0, 1, 2147483647.0f}));
  EXPECT_EQ(f->get_float_array("arr.f64")->at(0), 0.1f);
  EXPECT_THROW(f->get_float_array("arr.string"), InputError);
  EXPECT_THROW(f->get_float_array("test.f32"), InputError);
  EXPECT_EQ(f->get_int_array("arr.u8"), (std::vector<int64_t>{0, 1, 255}));
  EXPECT_EQ(f->get_int_array("arr.u64")->at(1), 9007199254740993);
  EXPECT_TRUE(f->get_int_array("arr.empty_i32")->empty());
  EXPECT_THROW(f->get_int_array("arr.f64"), InputError);  // 0.1 is not an integer
  EXPECT_THROW(f->get_int_array("arr.bool"), InputError);

  EXPECT_EQ(f->get_uint("absent"), std::nullopt);
  EXPECT_EQ(f->get_string_array("absent"), nullptr);
  EXPECT_EQ(f->get_float_array("absent"), std::nullopt);

  try {
    (void)f->get_uint("test.string");
    FAIL();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("test.string"), std::string::npos) << msg;
    EXPECT_NE(msg.find("found string"), std::string::npos) << msg;
    EXPECT_NE(msg.find(f->path()), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace tq
