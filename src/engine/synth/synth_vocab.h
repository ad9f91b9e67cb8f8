// A made-up tokenizer of a real vocabulary's size, written as tokenizer.ggml.* metadata
// that our tokenizers (and llama.cpp's) load: special tokens at the real model's ids, the
// 256 byte tokens, then generated pieces ("▁th", "Ġthe", …) over lowercase letters so
// that ordinary text tokenizes into multi-letter pieces and anything else falls back to
// bytes. The ids and texts mean nothing; only the size and the kind are real.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/gguf/gguf.h"
#include "engine/synth/synth_shapes.h"

namespace tq {

using GgufMetadata = std::vector<std::pair<std::string, GgufValue>>;

// Appends the tokenizer keys for `shape` (shape.n_vocab tokens) to `metadata`.
void add_synth_vocab(const SynthShape& shape, GgufMetadata& metadata);

}  // namespace tq
