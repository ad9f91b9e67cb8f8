// Streaming GGUF writer: for files too large to hold in memory (a 1B-parameter model is
// 1-4 GB). Tensors are declared up front (name, type, shape: enough to lay out the
// header), then their bytes are produced one tensor at a time, in pieces, straight to
// the file. Extends gguf.h without changing GgufWriter: metadata is encoded by
// GgufWriter itself, so both writers emit identical bytes for the same content.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/gguf/gguf.h"

namespace tq {

class GgufStreamWriter {
 public:
  void set(std::string key, GgufValue value);
  // Checks the name and shape as GgufWriter::add_tensor does; returns the tensor's bytes.
  uint64_t add_tensor_info(std::string name, GgmlType type, std::vector<int64_t> ne);

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }

  // Appends `n` bytes of the current tensor's data.
  using Emit = std::function<void(const void* data, size_t n)>;
  // Called once per declared tensor, in order; must emit exactly info.nbytes in total.
  using Producer = std::function<void(size_t index, const GgufTensorInfo& info, const Emit& emit)>;

  // Writes atomically (a ".part" file, renamed into place at the end). Throws Error naming
  // the path on I/O failure, and Error when a producer emits the wrong number of bytes.
  void write(const std::string& path, const Producer& produce) const;
  // The same file with the data section left as a hole (no disk blocks, reads as zeros):
  // a GgufFile of a model's layout, for code that needs names, shapes and metadata only
  // (e.g. planning quantisation types before the weights exist).
  void write_layout(const std::string& path) const;

 private:
  void write_file(const std::string& path, const Producer* produce) const;

  GgufWriter metadata_;
  uint64_t alignment_ = 32;
  std::vector<GgufTensorInfo> tensors_;  // offset/nbytes filled; data unused
};

}  // namespace tq
