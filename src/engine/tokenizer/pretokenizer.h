// Byte-level BPE pre-tokenizers: the regex splits llama.cpp applies before BPE, chosen by
// tokenizer.ggml.pre. The regexes are not run through a regex engine; each rule is written
// by hand over code points with the semantics llama.cpp gives them (its hand-written GPT-2
// and Llama-3 splitters, and std::regex's leftmost, ordered-alternation search for the rest,
// including how it classifies non-ASCII characters).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tq {

enum class PreTokenizer {
  DEFAULT,  // llama.cpp's fallback list (also used when tokenizer.ggml.pre is absent)
  GPT2,     // gpt-2, mpt, olmo, jais, phi-2, roberta-bpe, jina-*…
  LLAMA3,   // llama3, llama-v3, llama-bpe, falcon3, dbrx, smaug-bpe, chatglm-bpe
  QWEN2,    // qwen2, stablelm2, megrez: the Llama-3 rule with single digits
  DEEPSEEK_LLM,
  DEEPSEEK_CODER,
  FALCON,
  STARCODER,  // starcoder, refact, command-r, smollm, codeshell, exaone, minerva
};

struct PreTokenizerInfo {
  PreTokenizer type = PreTokenizer::DEFAULT;
  bool ignore_merges = false;  // a pre-token that is itself in the vocabulary stays whole
  bool clean_spaces = true;    // detokenizer's clean_up_tokenization_spaces
};

// Maps tokenizer.ggml.pre to its rule; throws UnsupportedError naming the value.
PreTokenizerInfo pre_tokenizer_from_name(std::string_view name);

// Splits `text` into pre-tokens (raw UTF-8, before the GPT-2 byte mapping). Invalid UTF-8
// bytes come out as U+FFFD, as in llama.cpp.
std::vector<std::string> pre_tokenize(PreTokenizer type, std::string_view text);

}  // namespace tq
