// libFuzzer entry point: every tokenizer kind on arbitrary bytes, with and without special
// tokens parsed, then detokenized and streamed back. Vocabularies are loaded once from
// $TQ_GOLD_DIR/vocab (default ../shared/gold relative to the working directory, then to
// the source tree); a missing one is skipped, so the target also runs without gold data.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf.h"
#include "engine/tokenizer/unicode.h"
#include "engine/tokenizer/vocab.h"

namespace {

std::vector<std::shared_ptr<const tq::Vocab>>& vocabs() {
  static std::vector<std::shared_ptr<const tq::Vocab>> v;
  return v;
}

std::filesystem::path gold_dir() {
  if (const char* env = std::getenv("TQ_GOLD_DIR")) return env;
  if (std::filesystem::exists("../shared/gold")) return "../shared/gold";
#ifdef TQ_SOURCE_DIR
  return std::filesystem::path(TQ_SOURCE_DIR) / ".." / "shared" / "gold";
#else
  return "../shared/gold";
#endif
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_tokenizer: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // One vocabulary per kind and per pre-tokenizer family.
  for (const char* name : {"llama-spm", "phi-3", "gpt-2", "deepseek-llm", "deepseek-coder",
                           "falcon", "starcoder", "mpt", "bert-bge"}) {
    const auto p = gold_dir() / "vocab" / (std::string("ggml-vocab-") + name + ".gguf");
    if (!std::filesystem::exists(p)) continue;
    vocabs().push_back(tq::Vocab::from_gguf(*tq::GgufFile::open(p.string())));
  }
  if (vocabs().empty())
    std::fprintf(stderr, "fuzz_tokenizer: no vocabularies under %s\n", gold_dir().c_str());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& v : vocabs()) {
    for (bool parse_special : {false, true}) {
      const auto ids = v->tokenize(text, parse_special, parse_special);
      for (tq::TokenId id : ids)
        if (id < 0 || id >= v->n_tokens()) fail("token id out of range");
      const std::string back = v->detokenize(ids, parse_special);
      // Valid UTF-8 text without special tokens comes back unchanged from SPM, unless it
      // holds a literal "▁" (which SPM cannot tell from an escaped space).
      if (!parse_special && v->kind() == tq::VocabKind::SPM &&
          tq::unicode::scan_utf8(text).valid_prefix == text.size() && back != text &&
          text.find("\xE2\x96\x81") == std::string_view::npos) {
        // User-defined tokens (phi-3's </s>) strip spaces after them: allowed to differ.
        bool has_user = false;
        for (tq::TokenId id : ids) has_user |= v->token_type(id) == tq::TokenType::USER_DEFINED;
        if (!has_user) fail("SPM round trip changed valid UTF-8 text");
      }
      tq::TokenStreamDecoder dec(v, parse_special);
      std::string streamed;
      for (tq::TokenId id : ids) {
        const std::string chunk = dec.push(id);
        if (tq::unicode::scan_utf8(chunk).valid_prefix != chunk.size())
          fail("stream emitted invalid UTF-8");
        streamed += chunk;
      }
      streamed += dec.flush();
      if (tq::unicode::scan_utf8(streamed).valid_prefix != streamed.size())
        fail("flush emitted invalid UTF-8");
    }
  }
  return 0;
}
