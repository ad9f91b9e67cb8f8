// GgufValue and GgufTensorInfo helpers shared by the reader, the writer and the CLI.
#include <variant>

#include "engine/gguf/gguf.h"

namespace tq {
namespace {

// The variants list the types in file order, except that ARRAY (9) has no alternative:
// alternatives 9..11 are types 10..12.
GgufType type_of_index(size_t index) {
  return static_cast<GgufType>(index < 9 ? index : index + 1);
}

}  // namespace

std::string_view gguf_type_name(GgufType t) {
  switch (t) {
    case GgufType::UINT8:
      return "uint8";
    case GgufType::INT8:
      return "int8";
    case GgufType::UINT16:
      return "uint16";
    case GgufType::INT16:
      return "int16";
    case GgufType::UINT32:
      return "uint32";
    case GgufType::INT32:
      return "int32";
    case GgufType::FLOAT32:
      return "float32";
    case GgufType::BOOL:
      return "bool";
    case GgufType::STRING:
      return "string";
    case GgufType::ARRAY:
      return "array";
    case GgufType::UINT64:
      return "uint64";
    case GgufType::INT64:
      return "int64";
    case GgufType::FLOAT64:
      return "float64";
  }
  return "unknown";
}

size_t GgufValue::array_size() const {
  if (!is_array()) return 0;
  return std::visit([](const auto& v) { return v.size(); }, array);
}

GgufValue GgufValue::of(Scalar s) {
  GgufValue v;
  v.type = type_of_index(s.index());
  v.scalar = std::move(s);
  return v;
}

GgufValue GgufValue::of_array(Array a) {
  GgufValue v;
  v.type = GgufType::ARRAY;
  v.array_type = type_of_index(a.index());
  v.array = std::move(a);
  return v;
}

int64_t GgufTensorInfo::n_elements() const {
  int64_t n = 1;
  for (int64_t d : ne) n *= d;
  return n;
}

int64_t GgufTensorInfo::n_rows() const {
  int64_t n = 1;
  for (size_t i = 1; i < ne.size(); ++i) n *= ne[i];
  return n;
}

}  // namespace tq
