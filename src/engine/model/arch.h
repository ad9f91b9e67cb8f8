// The architectures this engine runs, one loader per file (arch_<name>.cpp).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

namespace tq {

class GgufFile;
class Model;
class Vocab;

using ArchLoader = std::shared_ptr<Model> (*)(std::shared_ptr<GgufFile>,
                                              std::shared_ptr<const Vocab>);

std::shared_ptr<Model> load_llama(std::shared_ptr<GgufFile>, std::shared_ptr<const Vocab>);
std::shared_ptr<Model> load_qwen2(std::shared_ptr<GgufFile>, std::shared_ptr<const Vocab>);
std::shared_ptr<Model> load_bert(std::shared_ptr<GgufFile>, std::shared_ptr<const Vocab>);

struct ArchEntry {
  std::string_view name;
  ArchLoader load;
};
// The registry: an explicit list (static-initialiser registration is dropped by the linker
// in static libraries).
const std::vector<ArchEntry>& supported_architectures();

// n_vocab is the number of rows of token_embd.weight (files may pad the vocabulary).
int32_t vocab_size_from_embeddings(const GgufFile& file);

}  // namespace tq
