// GGUF v3 writer. Produces the layout llama.cpp writes: header, metadata in insertion
// order, tensor infos with offsets relative to the data section, zero padding to the
// alignment, then each tensor's bytes padded to the alignment.
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <variant>

#include "core/error.h"
#include "engine/gguf/gguf.h"

namespace tq {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the writer emits host integers as little-endian fields");

class Bytes {
 public:
  template <class T>
  void put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    buf_.insert(buf_.end(), p, p + sizeof(T));
  }
  void put_string(const std::string& s) {
    put<uint64_t>(s.size());
    buf_.insert(buf_.end(), s.begin(), s.end());
  }
  template <class T>
  void put_array(const std::vector<T>& a) {
    if constexpr (std::is_same_v<T, std::string>) {
      for (const auto& s : a) put_string(s);
    } else if constexpr (std::is_same_v<T, bool>) {
      for (bool b : a) put<uint8_t>(b ? 1 : 0);
    } else {
      const auto* p = reinterpret_cast<const uint8_t*>(a.data());
      buf_.insert(buf_.end(), p, p + a.size() * sizeof(T));
    }
  }
  void pad_to(uint64_t alignment) {
    buf_.resize((buf_.size() + alignment - 1) / alignment * alignment, 0);
  }
  const std::vector<uint8_t>& data() const { return buf_; }

 private:
  std::vector<uint8_t> buf_;
};

// The variant alternative must agree with the declared type, or the file would lie.
GgufType type_of_index(size_t index) {
  return static_cast<GgufType>(index < 9 ? index : index + 1);
}

void check_value(const std::string& key, const GgufValue& v) {
  if (key.empty()) throw InputError("GGUF writer: metadata key is empty");
  const bool ok = v.is_array() ? v.array_type != GgufType::ARRAY &&
                                     type_of_index(v.array.index()) == v.array_type
                               : type_of_index(v.scalar.index()) == v.type;
  if (!ok)
    throw InputError("GGUF writer: metadata key '" + key + "': declared type " +
                     std::string(gguf_type_name(v.type)) +
                     " does not match the value held (use GgufValue::of / of_array)");
}

uint64_t writer_alignment(const std::vector<std::pair<std::string, GgufValue>>& metadata) {
  for (const auto& [key, v] : metadata) {
    if (key != "general.alignment") continue;
    if (v.type != GgufType::UINT32)
      throw InputError("GGUF writer: general.alignment must be uint32, found " +
                       std::string(gguf_type_name(v.type)));
    const uint32_t a = std::get<uint32_t>(v.scalar);
    if (a == 0 || !std::has_single_bit(a))
      throw InputError("GGUF writer: general.alignment must be a non-zero power of two, found " +
                       std::to_string(a));
    return a;
  }
  return 32;
}

}  // namespace

void GgufWriter::set(std::string key, GgufValue value) {
  check_value(key, value);
  for (auto& kv : metadata_) {
    if (kv.first == key) {
      kv.second = std::move(value);
      return;
    }
  }
  metadata_.emplace_back(std::move(key), std::move(value));
}

uint64_t tensor_bytes_for_writing(const std::string& name, GgmlType type,
                                  const std::vector<int64_t>& ne) {
  const std::string what = "GGUF writer: tensor '" + name + "': ";
  if (name.empty()) throw InputError("GGUF writer: tensor name is empty");
  if (ne.empty() || ne.size() > 4)
    throw InputError(what + "expected 1 to 4 dimensions, found " + std::to_string(ne.size()));
  const TypeTraits* traits = find_type_traits(static_cast<uint32_t>(type));
  if (traits == nullptr)
    throw UnsupportedError(what + "unknown tensor type " +
                           std::to_string(static_cast<uint32_t>(type)));
  for (int64_t d : ne)
    if (d < 0) throw InputError(what + "negative dimension " + std::to_string(d));
  if (ne[0] % traits->block_size != 0)
    throw InputError(what + "row length " + std::to_string(ne[0]) + " is not a multiple of the " +
                     std::string(traits->name) + " block size " +
                     std::to_string(traits->block_size));
  uint64_t bytes = row_size(type, ne[0]);
  int64_t rows = 1, elements = ne[0];
  for (size_t d = 1; d < ne.size(); ++d)
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(ne[d]), &bytes) ||
        __builtin_mul_overflow(rows, ne[d], &rows) ||
        __builtin_mul_overflow(elements, ne[d], &elements))
      throw InputError(what + "shape overflows 64-bit element, row or byte counts");
  return bytes;
}

void GgufWriter::add_tensor(std::string name, GgmlType type, std::vector<int64_t> ne,
                            const void* data, size_t nbytes) {
  const std::string what = "GGUF writer: tensor '" + name + "': ";
  for (const auto& t : tensors_)
    if (t.name == name) throw InputError(what + "duplicate tensor name");
  const uint64_t expected = tensor_bytes_for_writing(name, type, ne);
  const TypeTraits& traits = type_traits(type);
  if (expected != nbytes)
    throw InputError(what + "expected " + std::to_string(expected) + " bytes for type " +
                     std::string(traits.name) + ", given " + std::to_string(nbytes));
  const auto* p = static_cast<const uint8_t*>(data);
  tensors_.push_back({std::move(name), type, std::move(ne),
                      nbytes ? std::vector<uint8_t>(p, p + nbytes) : std::vector<uint8_t>()});
}

void GgufWriter::write(const std::string& path) const {
  const uint64_t alignment = writer_alignment(metadata_);

  Bytes head;
  head.put<uint32_t>(0x46554747u);  // "GGUF" read as a little-endian u32
  head.put<uint32_t>(3);
  head.put<uint64_t>(tensors_.size());
  head.put<uint64_t>(metadata_.size());
  for (const auto& [key, v] : metadata_) {
    head.put_string(key);
    head.put<uint32_t>(static_cast<uint32_t>(v.type));
    if (v.is_array()) {
      head.put<uint32_t>(static_cast<uint32_t>(v.array_type));
      head.put<uint64_t>(v.array_size());
      std::visit([&](const auto& a) { head.put_array(a); }, v.array);
    } else {
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>)
              head.put_string(x);
            else if constexpr (std::is_same_v<T, bool>)
              head.put<uint8_t>(x ? 1 : 0);
            else
              head.put<T>(x);
          },
          v.scalar);
    }
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    head.put_string(t.name);
    head.put<uint32_t>(static_cast<uint32_t>(t.ne.size()));
    for (int64_t d : t.ne) head.put<uint64_t>(static_cast<uint64_t>(d));
    head.put<uint32_t>(static_cast<uint32_t>(t.type));
    head.put<uint64_t>(offset);
    offset += (t.data.size() + alignment - 1) / alignment * alignment;
  }
  // The padding only aligns the data section; a vocabulary-only file ends with its
  // metadata, as the files llama.cpp's tools write do.
  if (!tensors_.empty()) head.pad_to(alignment);

  // Readers mmap models while we may be rewriting one: write beside it, then rename, so
  // nobody ever maps a half-written file.
  const std::string tmp = path + ".tmp";
  std::FILE* out = std::fopen(tmp.c_str(), "wb");
  if (out == nullptr) throw Error(path + ": cannot create " + tmp + ": " + std::strerror(errno));
  bool ok = std::fwrite(head.data().data(), 1, head.data().size(), out) == head.data().size();
  static const uint8_t zeros[256] = {};
  for (const auto& t : tensors_) {
    if (!ok) break;
    // An empty tensor's vector may hold a null pointer, which fwrite must not see.
    ok = t.data.empty() || std::fwrite(t.data.data(), 1, t.data.size(), out) == t.data.size();
    uint64_t pad = (alignment - t.data.size() % alignment) % alignment;
    while (ok && pad > 0) {
      const size_t n = pad < sizeof(zeros) ? static_cast<size_t>(pad) : sizeof(zeros);
      ok = std::fwrite(zeros, 1, n, out) == n;
      pad -= n;
    }
  }
  const int write_errno = errno;
  ok = (std::fclose(out) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    throw Error(path + ": writing " + tmp + " failed: " + std::strerror(write_errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw Error(path + ": cannot rename " + tmp + " into place: " + std::strerror(err));
  }
}

}  // namespace tq
