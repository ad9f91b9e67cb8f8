#include "engine/model/weight_loader.h"

#include <string>

#include "core/error.h"
#include "engine/gguf/gguf.h"

namespace tq {
namespace {

std::string shape_str(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

}  // namespace

bool WeightLoader::has(const std::string& name) const {
  return file_.find_tensor(name) != nullptr;
}

WeightMatrix WeightLoader::optional_matrix(const std::string& name, int64_t n_in,
                                           int64_t n_out) const {
  if (!has(name)) return {};
  return matrix(name, n_in, n_out);
}

WeightMatrix WeightLoader::matrix(const std::string& name, int64_t n_in, int64_t n_out) const {
  const GgufTensorInfo* t = file_.find_tensor(name);
  if (t == nullptr)
    throw InputError(file_.path() + ": tensor '" + name + "' is missing (expected shape [" +
                     std::to_string(n_in) + ", " + std::to_string(n_out) + "])");
  const bool ok = t->ne.size() >= 2 && t->ne[0] == n_in && t->ne[1] == n_out &&
                  (t->ne.size() < 3 || t->ne[2] == 1) && (t->ne.size() < 4 || t->ne[3] == 1);
  if (!ok)
    throw InputError(file_.path() + ": tensor '" + name + "' has shape " + shape_str(t->ne) +
                     ", expected [" + std::to_string(n_in) + ", " + std::to_string(n_out) + "]");
  const TypeTraits& tt = type_traits(t->type);
  if (tt.vec_dot == nullptr || tt.to_float == nullptr)
    throw UnsupportedError(file_.path() + ": tensor '" + name + "' has type " +
                           std::string(tt.name) + ", which this engine cannot compute with");
  WeightMatrix w;
  w.type = t->type;
  w.n_in = n_in;
  w.n_out = n_out;
  w.data = static_cast<const uint8_t*>(t->data);
  w.row_bytes = row_size(t->type, n_in);
  return w;
}

WeightVector WeightLoader::optional_vector(const std::string& name, int64_t n) {
  if (!has(name)) return {};
  return vector(name, n);
}

WeightVector WeightLoader::vector(const std::string& name, int64_t n) {
  const GgufTensorInfo* t = file_.find_tensor(name);
  if (t == nullptr)
    throw InputError(file_.path() + ": tensor '" + name + "' is missing (expected " +
                     std::to_string(n) + " values)");
  if (t->n_elements() != n || t->ne[0] != n)
    throw InputError(file_.path() + ": tensor '" + name + "' has shape " + shape_str(t->ne) +
                     ", expected [" + std::to_string(n) + "]");
  if (t->type == GgmlType::F32) return {static_cast<const float*>(t->data), n};
  const TypeTraits& tt = type_traits(t->type);
  if (tt.to_float == nullptr)
    throw UnsupportedError(file_.path() + ": tensor '" + name + "' has type " +
                           std::string(tt.name) + ", expected f32/f16/bf16");
  auto& buf = storage_.emplace_back(static_cast<size_t>(n));
  tt.to_float(t->data, buf.data(), n);
  return {buf.data(), n};
}

}  // namespace tq
