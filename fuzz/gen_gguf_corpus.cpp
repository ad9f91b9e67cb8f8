// Writes small valid GGUF files (< 20 KB each) as the seed corpus of fuzz_gguf: every
// metadata type, arrays, tensors of several block sizes, a custom alignment, a
// vocabulary-only file. Usage: gen_gguf_corpus OUTDIR
#include <cstdio>
#include <string>
#include <vector>

#include "engine/gguf/gguf.h"

namespace {

using tq::GgmlType;
using tq::GgufValue;

void add(tq::GgufWriter& w, const std::string& name, GgmlType type, std::vector<int64_t> ne) {
  int64_t rows = 1;
  for (size_t d = 1; d < ne.size(); ++d) rows *= ne[d];
  std::vector<uint8_t> bytes(tq::row_size(type, ne[0]) * static_cast<size_t>(rows));
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 131 + 7);
  w.add_tensor(name, type, std::move(ne), bytes.data(), bytes.size());
}

tq::GgufWriter every_type() {
  tq::GgufWriter w;
  w.set("general.architecture", GgufValue::of(std::string("llama")));
  w.set("u8", GgufValue::of(uint8_t{200}));
  w.set("i8", GgufValue::of(int8_t{-3}));
  w.set("u16", GgufValue::of(uint16_t{60000}));
  w.set("i16", GgufValue::of(int16_t{-300}));
  w.set("u32", GgufValue::of(uint32_t{256}));
  w.set("i32", GgufValue::of(int32_t{-70000}));
  w.set("f32", GgufValue::of(1e-5f));
  w.set("bool", GgufValue::of(true));
  w.set("str", GgufValue::of(std::string("hello")));
  w.set("u64", GgufValue::of(uint64_t{1} << 40));
  w.set("i64", GgufValue::of(int64_t{-1} << 40));
  w.set("f64", GgufValue::of(0.5));
  w.set("a.u8", GgufValue::of_array(std::vector<uint8_t>{1, 2}));
  w.set("a.i32", GgufValue::of_array(std::vector<int32_t>{1, 2, 3}));
  w.set("a.f32", GgufValue::of_array(std::vector<float>{0.5f, -1.0f}));
  w.set("a.bool", GgufValue::of_array(std::vector<bool>{true, false}));
  w.set("a.str", GgufValue::of_array(std::vector<std::string>{"<s>", "</s>", "a"}));
  w.set("a.u64", GgufValue::of_array(std::vector<uint64_t>{7}));
  w.set("a.f64", GgufValue::of_array(std::vector<double>{}));
  add(w, "token_embd.weight", GgmlType::F32, {8, 4});
  add(w, "blk.0.attn_q.weight", GgmlType::Q4_0, {32, 2});
  add(w, "blk.0.ffn_up.weight", GgmlType::Q4_K, {256, 1});
  add(w, "output_norm.weight", GgmlType::F16, {8});
  return w;
}

tq::GgufWriter vocab_only() {
  tq::GgufWriter w;
  w.set("general.architecture", GgufValue::of(std::string("llama")));
  w.set("tokenizer.ggml.model", GgufValue::of(std::string("llama")));
  std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
  std::vector<float> scores = {0, 0, 0};
  std::vector<int32_t> types = {2, 3, 3};
  for (int i = 0; i < 64; ++i) {
    tokens.push_back("\xe2\x96\x81tok" + std::to_string(i));
    scores.push_back(-static_cast<float>(i));
    types.push_back(1);
  }
  w.set("tokenizer.ggml.tokens", GgufValue::of_array(tokens));
  w.set("tokenizer.ggml.scores", GgufValue::of_array(scores));
  w.set("tokenizer.ggml.token_type", GgufValue::of_array(types));
  w.set("tokenizer.ggml.bos_token_id", GgufValue::of(uint32_t{1}));
  w.set("tokenizer.ggml.add_bos_token", GgufValue::of(true));
  return w;
}

tq::GgufWriter aligned_64() {
  tq::GgufWriter w;
  w.set("general.alignment", GgufValue::of(uint32_t{64}));
  add(w, "a", GgmlType::Q8_0, {32, 3});
  add(w, "b", GgmlType::BF16, {3, 1, 1, 2});
  add(w, "c", GgmlType::I32, {5});
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  every_type().write(dir + "/every_type.gguf");
  vocab_only().write(dir + "/vocab_only.gguf");
  aligned_64().write(dir + "/aligned_64.gguf");
  tq::GgufWriter empty;
  empty.write(dir + "/empty.gguf");
  return 0;
}
