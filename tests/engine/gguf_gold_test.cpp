// Reads every GGUF file llama.cpp produced for ../shared/gold and checks facts the gold
// README states about them; then re-writes each through GgufWriter and checks the result
// reads back identically.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "engine/gguf/gguf.h"
#include "engine/gguf_test_support.h"
#include "support/gold.h"

namespace tq {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> gguf_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".gguf") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, int> type_counts(const GgufFile& f) {
  std::map<std::string, int> counts;
  for (const auto& t : f.tensors()) counts[std::string(type_name(t.type))]++;
  return counts;
}

TEST(GgufGold, ReadsEveryModelAndVocabFile) {
  const fs::path models = test::gold_dir() / "models";
  const fs::path vocab = test::gold_dir() / "vocab";
  TQ_REQUIRE_PATH(models);
  TQ_REQUIRE_PATH(vocab);
  int n = 0;
  for (const auto& dir : {models, vocab}) {
    for (const auto& path : gguf_files(dir)) {
      SCOPED_TRACE(path.string());
      std::shared_ptr<GgufFile> f;
      ASSERT_NO_THROW(f = GgufFile::open(path.string()));
      EXPECT_EQ(f->version(), 3u);
      EXPECT_EQ(f->alignment(), 32u);
      EXPECT_EQ(f->file_size(), fs::file_size(path));
      EXPECT_TRUE(f->get_string("general.architecture").has_value());
      const auto* tokens = f->get_string_array("tokenizer.ggml.tokens");
      ASSERT_NE(tokens, nullptr);
      EXPECT_EQ(f->get_int_array("tokenizer.ggml.token_type")->size(), tokens->size());
      if (dir == models) {
        EXPECT_FALSE(f->tensors().empty());
        EXPECT_NE(f->find_tensor("token_embd.weight"), nullptr);
      } else {
        EXPECT_TRUE(f->tensors().empty()) << "vocabulary-only file";
      }
      for (const auto& t : f->tensors()) {
        EXPECT_EQ(t.offset % f->alignment(), 0u) << t.name;
        EXPECT_LE(f->data_offset() + t.offset + t.nbytes, f->file_size()) << t.name;
      }
      ++n;
    }
  }
  EXPECT_GE(n, 30);
  std::cout << "read " << n << " gold GGUF files\n";
}

TEST(GgufGold, LlamaSpmF32Facts) {
  const fs::path path = test::gold_dir() / "models" / "llama-spm-f32.gguf";
  TQ_REQUIRE_PATH(path);
  const auto f = GgufFile::open(path.string());
  EXPECT_EQ(f->get_string("general.architecture"), "llama");
  EXPECT_EQ(f->get_uint("llama.embedding_length"), 256u);
  EXPECT_EQ(f->get_uint("llama.block_count"), 2u);
  EXPECT_EQ(f->get_uint("llama.attention.head_count"), 4u);
  EXPECT_EQ(f->get_uint("llama.attention.head_count_kv"), 2u);
  EXPECT_EQ(f->get_uint("llama.feed_forward_length"), 512u);
  EXPECT_DOUBLE_EQ(*f->get_float("llama.rope.freq_base"), 10000.0);
  EXPECT_EQ(f->get_string("tokenizer.ggml.model"), "llama");
  EXPECT_EQ(f->get_string_array("tokenizer.ggml.tokens")->size(), 4096u);
  EXPECT_EQ(f->get_float_array("tokenizer.ggml.scores")->size(), 4096u);
  const GgufTensorInfo* embd = f->find_tensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->type, GgmlType::F32);
  EXPECT_EQ(embd->ne, (std::vector<int64_t>{256, 4096}));
  EXPECT_EQ(embd->nbytes, 256u * 4096u * 4u);
  EXPECT_NE(f->find_tensor("output.weight"), nullptr) << "separate output matrix";
  EXPECT_EQ(f->tensors().size(), 21u);
}

TEST(GgufGold, Qwen2AndBertFacts) {
  const fs::path qwen = test::gold_dir() / "models" / "qwen2-gpt2-f32.gguf";
  const fs::path bert = test::gold_dir() / "models" / "bert-mean-f32.gguf";
  TQ_REQUIRE_PATH(qwen);
  TQ_REQUIRE_PATH(bert);
  const auto q = GgufFile::open(qwen.string());
  EXPECT_EQ(q->get_string("general.architecture"), "qwen2");
  EXPECT_EQ(q->get_string("tokenizer.ggml.model"), "gpt2");
  EXPECT_DOUBLE_EQ(*q->get_float("qwen2.rope.freq_base"), 1e6);
  const auto* tokens = q->get_string_array("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens->size(), 8192u);
  EXPECT_EQ(tokens->back(), "<|endoftext|>");
  EXPECT_EQ(q->find_tensor("output.weight"), nullptr) << "tied embeddings";
  EXPECT_NE(q->find_tensor("blk.0.attn_q.bias"), nullptr);

  const auto b = GgufFile::open(bert.string());
  EXPECT_EQ(b->get_string("general.architecture"), "bert");
  EXPECT_TRUE(b->get_uint("bert.pooling_type").has_value());
  EXPECT_EQ(b->find_tensor("token_embd.weight")->ne, (std::vector<int64_t>{256, 4096}));
}

TEST(GgufGold, QuantisedFilesHoldTheExpectedTypes) {
  const fs::path models = test::gold_dir() / "models";
  TQ_REQUIRE_PATH(models);
  // Counts from the files as llama-quantize wrote them (the README explains the mixes).
  const std::map<std::string, std::map<std::string, int>> expected = {
      {"llama-spm-f16.gguf", {{"f16", 16}, {"f32", 5}}},
      {"llama-spm-bf16.gguf", {{"bf16", 16}, {"f32", 5}}},
      {"llama-spm-q8_0.gguf", {{"q8_0", 16}, {"f32", 5}}},
      {"llama-spm-q4_0.gguf", {{"q4_0", 15}, {"q6_K", 1}, {"f32", 5}}},
      {"llama-spm-q4_k_m.gguf", {{"q4_K", 13}, {"q6_K", 3}, {"f32", 5}}},
      {"llama-spm-q5_k_m.gguf", {{"q5_K", 13}, {"q6_K", 3}, {"f32", 5}}},
      {"llama-spm-q6_k.gguf", {{"q6_K", 16}, {"f32", 5}}},
      {"qwen2-896-q4_k_m.gguf", {{"q5_0", 5}, {"q8_0", 3}, {"f32", 6}}},
      {"qwen2-896-q4_1.gguf", {{"q4_1", 7}, {"q8_0", 1}, {"f32", 6}}},
      {"qwen2-896-q5_1.gguf", {{"q5_1", 7}, {"q8_0", 1}, {"f32", 6}}},
      {"qwen2-gpt2-q4_k_m.gguf", {{"q4_K", 12}, {"q6_K", 3}, {"f32", 11}}},
      {"qwen2-gpt2-q8_0.gguf", {{"q8_0", 15}, {"f32", 11}}},
      {"bert-mean-q8_0.gguf", {{"q8_0", 13}, {"f32", 24}}},
  };
  for (const auto& [name, counts] : expected) {
    SCOPED_TRACE(name);
    TQ_REQUIRE_PATH(models / name);
    const auto f = GgufFile::open((models / name).string());
    EXPECT_EQ(type_counts(*f), counts);
  }
  const auto q = GgufFile::open((models / "qwen2-896-q4_k_m.gguf").string());
  EXPECT_EQ(q->find_tensor("token_embd.weight")->type, GgmlType::Q8_0);
  EXPECT_EQ(q->find_tensor("token_embd.weight")->ne, (std::vector<int64_t>{896, 2048}));
}

// Re-writing a llama.cpp file through our writer must lose nothing, and since both follow
// the same layout rules (insertion order, offsets packed at the alignment, zero padding)
// the bytes must come out identical: an independent check of the writer.
TEST(GgufGold, RewriteThroughWriterReadsBackIdentically) {
  const fs::path models = test::gold_dir() / "models";
  const fs::path vocab = test::gold_dir() / "vocab";
  TQ_REQUIRE_PATH(models);
  TQ_REQUIRE_PATH(vocab);
  int identical = 0, total = 0;
  for (const auto& dir : {models, vocab}) {
    for (const auto& path : gguf_files(dir)) {
      SCOPED_TRACE(path.string());
      const auto original = GgufFile::open(path.string());
      GgufWriter w;
      for (const auto& [key, value] : original->metadata()) w.set(key, value);
      for (const auto& t : original->tensors())
        w.add_tensor(t.name, t.type, t.ne, t.data, static_cast<size_t>(t.nbytes));
      const auto out = test::gguf_temp_path(path.stem().string());
      w.write(out.string());
      {
        const auto copy = GgufFile::open(out.string());
        test::expect_same_contents(*original, *copy);
        for (size_t i = 0; i < copy->tensors().size(); ++i)
          EXPECT_EQ(copy->tensors()[i].offset, original->tensors()[i].offset)
              << copy->tensors()[i].name;
        EXPECT_EQ(copy->data_offset(), original->data_offset());
      }
      const bool same_bytes = test::read_file(out) == test::read_file(path);
      EXPECT_TRUE(same_bytes) << "re-written file differs from llama.cpp's bytes";
      identical += same_bytes;
      ++total;
      fs::remove(out);
    }
  }
  std::cout << identical << " of " << total
            << " re-written gold files are byte-identical to llama.cpp's\n";
}

}  // namespace
}  // namespace tq
