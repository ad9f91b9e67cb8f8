// Typed access to GGUF metadata. Converters accept whatever the ecosystem writes for a
// field (llama.cpp's converters are not consistent about uint32 vs int32 vs uint64), as
// long as the value fits; anything else is an InputError naming the key and its type.
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "core/error.h"
#include "engine/gguf/gguf.h"

namespace tq {
namespace {

std::string type_desc(const GgufValue& v) {
  if (!v.is_array()) return std::string(gguf_type_name(v.type));
  return "array of " + std::string(gguf_type_name(v.array_type));
}

[[noreturn]] void wrong_type(const std::string& path, std::string_view key, const char* want,
                             const GgufValue& v) {
  throw InputError(path + ": metadata key '" + std::string(key) + "': expected " + want +
                   ", found " + type_desc(v));
}

[[noreturn]] void out_of_range(const std::string& path, std::string_view key, const char* want,
                               const std::string& value) {
  throw InputError(path + ": metadata key '" + std::string(key) + "': value " + value +
                   " does not fit " + want);
}

// Integer conversions with range checks; nullopt when the value does not fit.
template <class To, class From>
std::optional<To> fit(From x) {
  if constexpr (std::is_floating_point_v<From>) {
    // Only integral values inside the range of To convert (2^63 is exactly representable).
    if (!std::isfinite(x) || std::trunc(x) != x) return std::nullopt;
    if (x < static_cast<From>(std::numeric_limits<To>::min()) ||
        x >= static_cast<From>(std::numeric_limits<To>::max()) + static_cast<From>(1))
      return std::nullopt;
    return static_cast<To>(x);
  } else if constexpr (std::is_same_v<From, bool>) {
    return std::nullopt;
  } else {
    if (!std::in_range<To>(x)) return std::nullopt;
    return static_cast<To>(x);
  }
}

template <class T>
constexpr bool is_integer_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <class T>
constexpr bool is_number_v = is_integer_v<T> || std::is_floating_point_v<T>;

template <class To>
std::optional<To> scalar_int(const std::string& path, std::string_view key, const GgufValue& v,
                             const char* want) {
  if (v.is_array()) wrong_type(path, key, want, v);
  return std::visit(
      [&](const auto& x) -> std::optional<To> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (is_integer_v<T>) {
          if (auto r = fit<To>(x)) return r;
          out_of_range(path, key, want, std::to_string(x));
        } else {
          wrong_type(path, key, want, v);
        }
      },
      v.scalar);
}

}  // namespace

const GgufValue* GgufFile::find(std::string_view key) const {
  auto it = key_index_.find(key);
  return it == key_index_.end() ? nullptr : &metadata_[it->second].second;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

std::optional<std::string> GgufFile::get_string(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (v->type != GgufType::STRING) wrong_type(path_, key, "string", *v);
  return std::get<std::string>(v->scalar);
}

std::optional<uint64_t> GgufFile::get_uint(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  return scalar_int<uint64_t>(path_, key, *v, "an unsigned integer");
}

std::optional<int64_t> GgufFile::get_int(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  return scalar_int<int64_t>(path_, key, *v, "an integer");
}

std::optional<double> GgufFile::get_float(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_array()) wrong_type(path_, key, "a number", *v);
  return std::visit(
      [&](const auto& x) -> double {
        using T = std::decay_t<decltype(x)>;
        if constexpr (is_number_v<T>)
          return static_cast<double>(x);
        else
          wrong_type(path_, key, "a number", *v);
      },
      v->scalar);
}

std::optional<bool> GgufFile::get_bool(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (v->type != GgufType::BOOL) wrong_type(path_, key, "bool", *v);
  return std::get<bool>(v->scalar);
}

const std::vector<std::string>* GgufFile::get_string_array(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return nullptr;
  if (!v->is_array() || v->array_type != GgufType::STRING)
    wrong_type(path_, key, "array of string", *v);
  return &std::get<std::vector<std::string>>(v->array);
}

std::optional<std::vector<float>> GgufFile::get_float_array(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) wrong_type(path_, key, "array of numbers", *v);
  return std::visit(
      [&](const auto& a) -> std::vector<float> {
        using T = typename std::decay_t<decltype(a)>::value_type;
        if constexpr (is_number_v<T>) {
          std::vector<float> out(a.size());
          for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<float>(a[i]);
          return out;
        } else {
          wrong_type(path_, key, "array of numbers", *v);
        }
      },
      v->array);
}

std::optional<std::vector<int64_t>> GgufFile::get_int_array(std::string_view key) const {
  const GgufValue* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) wrong_type(path_, key, "array of integers", *v);
  return std::visit(
      [&](const auto& a) -> std::vector<int64_t> {
        using T = typename std::decay_t<decltype(a)>::value_type;
        if constexpr (is_number_v<T>) {
          std::vector<int64_t> out(a.size());
          for (size_t i = 0; i < a.size(); ++i) {
            auto r = fit<int64_t>(a[i]);
            if (!r)
              out_of_range(path_, key, "int64",
                           "[" + std::to_string(i) + "] = " + std::to_string(a[i]));
            out[i] = *r;
          }
          return out;
        } else {
          wrong_type(path_, key, "array of integers", *v);
        }
      },
      v->array);
}

}  // namespace tq
