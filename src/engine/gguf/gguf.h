// GGUF v2/v3: the model file format of the llama.cpp ecosystem.
// The reader memory-maps the file and hands out tensor data in place (zero copy); every
// offset, size and count is checked against the file before use, and errors name the
// file, the field or tensor, what was expected and what was found.
// The writer produces files that llama.cpp and other readers accept.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/tensor/ggml_type.h"

namespace tq {

// Metadata value types, numbered as in the file.
enum class GgufType : uint32_t {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
};
std::string_view gguf_type_name(GgufType t);

// A metadata value. Arrays are stored typed (no per-element variant) because vocabularies
// hold 150k strings and merges.
struct GgufValue {
  using Array = std::variant<std::vector<uint8_t>, std::vector<int8_t>, std::vector<uint16_t>,
                             std::vector<int16_t>, std::vector<uint32_t>, std::vector<int32_t>,
                             std::vector<float>, std::vector<bool>, std::vector<std::string>,
                             std::vector<uint64_t>, std::vector<int64_t>, std::vector<double>>;
  using Scalar = std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool,
                              std::string, uint64_t, int64_t, double>;

  GgufType type = GgufType::UINT32;
  GgufType array_type = GgufType::UINT32;  // element type when type == ARRAY
  Scalar scalar;                           // when type != ARRAY
  Array array;                             // when type == ARRAY (nested arrays unsupported)

  bool is_array() const { return type == GgufType::ARRAY; }
  size_t array_size() const;

  // Convenience constructors for the writer and for tests.
  static GgufValue of(Scalar s);
  static GgufValue of_array(Array a);
};

struct GgufTensorInfo {
  std::string name;
  GgmlType type = GgmlType::F32;
  std::vector<int64_t> ne;     // ggml order: ne[0] is the row length (contiguous)
  uint64_t offset = 0;         // relative to the start of the data section
  uint64_t nbytes = 0;         // computed from type and shape, checked against the file
  const void* data = nullptr;  // into the mapping (reader only)

  int64_t n_elements() const;
  int64_t n_rows() const;  // product of ne[1..]
};

class GgufFile {
 public:
  // Maps and validates the file; throws InputError (corrupt/truncated) or
  // UnsupportedError (unknown version or tensor type) naming the file and field.
  static std::shared_ptr<GgufFile> open(const std::string& path);
  // Parses a copy of an in-memory image (fuzzing, tests); `name` stands in for the path in
  // messages. Tensor data pointers point into the copy, which the GgufFile owns.
  static std::shared_ptr<GgufFile> open_memory(const std::string& name, const void* data,
                                               size_t size);
  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }
  uint64_t file_size() const { return size_; }

  // Keys in file order.
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return metadata_; }
  const GgufValue* find(std::string_view key) const;

  // Typed getters: nullopt when absent; InputError when present with an incompatible type
  // (integers convert between widths when the value fits).
  std::optional<std::string> get_string(std::string_view key) const;
  std::optional<uint64_t> get_uint(std::string_view key) const;
  std::optional<int64_t> get_int(std::string_view key) const;
  std::optional<double> get_float(std::string_view key) const;  // any numeric type
  std::optional<bool> get_bool(std::string_view key) const;
  const std::vector<std::string>* get_string_array(std::string_view key) const;
  std::optional<std::vector<float>> get_float_array(std::string_view key) const;
  std::optional<std::vector<int64_t>> get_int_array(std::string_view key) const;

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find_tensor(std::string_view name) const;

 private:
  GgufFile() = default;
  friend class GgufParser;

  std::string path_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  uint64_t size_ = 0;
  void* map_ = nullptr;          // the mmap'ed file (open), or nullptr
  std::shared_ptr<void> owned_;  // the copied image (open_memory), or empty
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::map<std::string, size_t, std::less<>> key_index_;
  std::vector<GgufTensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> tensor_index_;
};

// Checks a tensor declaration for writing (non-empty name, 1 to 4 dimensions, a known type,
// rows a whole number of blocks, no overflow) and returns its byte count; InputError or
// UnsupportedError naming the tensor. Shared by GgufWriter and GgufStreamWriter.
uint64_t tensor_bytes_for_writing(const std::string& name, GgmlType type,
                                  const std::vector<int64_t>& ne);

// Builds a GGUF v3 file: metadata in insertion order, then tensor infos, then data,
// each tensor aligned to general.alignment (default 32).
class GgufWriter {
 public:
  void set(std::string key, GgufValue value);  // replaces an existing key, keeps its place
  // Copies `nbytes` of data (must equal row_size(type, ne[0]) * rows).
  void add_tensor(std::string name, GgmlType type, std::vector<int64_t> ne, const void* data,
                  size_t nbytes);
  // Writes atomically (temp file + rename); throws Error naming the path on failure.
  void write(const std::string& path) const;

 private:
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  struct PendingTensor {
    std::string name;
    GgmlType type;
    std::vector<int64_t> ne;
    std::vector<uint8_t> data;
  };
  std::vector<PendingTensor> tensors_;
};

}  // namespace tq
