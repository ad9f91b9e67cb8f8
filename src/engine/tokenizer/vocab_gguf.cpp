// Reading tokenizer.ggml.* from a GGUF file into a VocabSpec. Kept apart from vocab.cpp so
// code that builds vocabularies by hand does not pull in the GGUF reader.
#include "core/error.h"
#include "engine/gguf/gguf.h"
#include "engine/tokenizer/vocab.h"

namespace tq {

std::shared_ptr<const Vocab> Vocab::from_gguf(const GgufFile& file) {
  try {
    VocabSpec spec;
    const auto model = file.get_string("tokenizer.ggml.model");
    if (!model) throw InputError("tokenizer.ggml.model: missing (the file has no vocabulary)");
    spec.model = *model;
    spec.pre = file.get_string("tokenizer.ggml.pre").value_or("");
    spec.name = file.get_string("general.name").value_or("");
    const auto* tokens = file.get_string_array("tokenizer.ggml.tokens");
    if (!tokens) throw InputError("tokenizer.ggml.tokens: missing");
    spec.tokens = *tokens;
    if (auto scores = file.get_float_array("tokenizer.ggml.scores"))
      spec.scores = std::move(*scores);
    if (auto types = file.get_int_array("tokenizer.ggml.token_type")) {
      spec.types.reserve(types->size());
      for (int64_t t : *types) spec.types.push_back(static_cast<int32_t>(t));
    }
    if (const auto* merges = file.get_string_array("tokenizer.ggml.merges")) spec.merges = *merges;
    auto id = [&](const char* key) -> std::optional<int64_t> {
      // Converters write "none" as -1 or as 0xFFFFFFFF depending on the signedness.
      if (auto v = file.get_int(key)) return *v;
      return std::nullopt;
    };
    spec.bos = id("tokenizer.ggml.bos_token_id");
    spec.eos = id("tokenizer.ggml.eos_token_id");
    spec.eot = id("tokenizer.ggml.eot_token_id");
    spec.eom = id("tokenizer.ggml.eom_token_id");
    spec.unk = id("tokenizer.ggml.unknown_token_id");
    spec.sep = id("tokenizer.ggml.seperator_token_id");  // sic: llama.cpp's key
    spec.pad = id("tokenizer.ggml.padding_token_id");
    spec.cls = id("tokenizer.ggml.cls_token_id");
    spec.add_bos = file.get_bool("tokenizer.ggml.add_bos_token");
    spec.add_eos = file.get_bool("tokenizer.ggml.add_eos_token");
    spec.add_space_prefix = file.get_bool("tokenizer.ggml.add_space_prefix");
    return from_spec(std::move(spec));
  } catch (...) {
    rethrow_with_context("loading vocabulary from " + file.path());
  }
}

}  // namespace tq
