// GGUF parsing. The file is untrusted: every count, length and offset is checked against
// the bytes that remain before it is used, so a corrupt count cannot make us allocate or
// read past the end. Layout (all little-endian):
//   "GGUF" u32 version, u64 tensor_count, u64 kv_count,
//   kv_count × (string key, u32 type, value), tensor_count × (string name, u32 n_dims,
//   n_dims × u64 ne, u32 ggml type, u64 offset), padding to alignment, tensor data.
// Strings are u64 length + raw bytes; arrays are u32 element type + u64 count + elements.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "engine/gguf/gguf.h"

namespace tq {

static_assert(std::endian::native == std::endian::little,
              "the reader copies little-endian fields straight into host integers");

class GgufParser {
 public:
  GgufParser(GgufFile& file, const uint8_t* base, uint64_t size)
      : f_(file), base_(base), size_(size) {}

  void parse() {
    read_header();
    read_metadata();
    read_alignment();
    read_tensor_infos();
    place_tensors();
  }

 private:
  static constexpr uint64_t kMinKvBytes = 8 + 1 + 4 + 1;  // key len, 1-byte key, type, u8
  static constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;  // one dim

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(f_.path_ + ": " + where() + what);
  }
  [[noreturn]] void unsupported(const std::string& what) const {
    throw UnsupportedError(f_.path_ + ": " + where() + what);
  }
  std::string where() const { return ctx_.empty() ? std::string() : ctx_ + ": "; }

  uint64_t left() const { return size_ - pos_; }

  void need(uint64_t n, const char* field) const {
    if (n > left())
      fail(std::string(field) + " needs " + std::to_string(n) + " bytes at offset " +
           std::to_string(pos_) + ", but only " + std::to_string(left()) + " remain (file size " +
           std::to_string(size_) + ")");
  }

  template <class T>
  T read(const char* field) {
    need(sizeof(T), field);
    T v;
    std::memcpy(&v, base_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string read_string(const char* field) {
    const uint64_t len = read<uint64_t>(field);
    if (len > left())
      fail(std::string(field) + " length " + std::to_string(len) + " at offset " +
           std::to_string(pos_ - 8) + " exceeds the " + std::to_string(left()) +
           " bytes left in the file");
    std::string s(reinterpret_cast<const char*>(base_ + pos_), static_cast<size_t>(len));
    pos_ += len;
    return s;
  }

  void read_header() {
    need(4, "magic");
    if (std::memcmp(base_, "GGUF", 4) != 0) {
      std::string found;
      for (int i = 0; i < 4; ++i) {
        const char c = static_cast<char>(base_[i]);
        found += (c >= 0x20 && c < 0x7f) ? std::string(1, c) : "\\x" + hex_byte(base_[i]);
      }
      fail("not a GGUF file: expected magic \"GGUF\", found \"" + found + "\"");
    }
    pos_ = 4;
    const uint32_t version = read<uint32_t>("version");
    if (version == 0x02000000u || version == 0x03000000u)
      unsupported("big-endian GGUF files are not supported (version field reads " +
                  std::to_string(version) + ")");
    if (version == 1)
      unsupported("GGUF version 1 is not supported (expected 2 or 3); re-convert the model");
    if (version != 2 && version != 3)
      unsupported("unknown GGUF version " + std::to_string(version) + " (expected 2 or 3)");
    f_.version_ = version;
    n_tensors_ = read<uint64_t>("tensor count");
    n_kv_ = read<uint64_t>("metadata kv count");
    if (n_kv_ > left() / kMinKvBytes)
      fail("metadata kv count " + std::to_string(n_kv_) + " cannot fit: each entry takes at " +
           "least " + std::to_string(kMinKvBytes) + " bytes and only " + std::to_string(left()) +
           " follow the header");
    if (n_tensors_ > left() / kMinTensorInfoBytes)
      fail("tensor count " + std::to_string(n_tensors_) + " cannot fit: each tensor info " +
           "takes at least " + std::to_string(kMinTensorInfoBytes) + " bytes and only " +
           std::to_string(left()) + " follow the header");
  }

  void read_metadata() {
    f_.metadata_.reserve(static_cast<size_t>(n_kv_));
    for (uint64_t i = 0; i < n_kv_; ++i) {
      ctx_ = "metadata entry " + std::to_string(i) + " of " + std::to_string(n_kv_);
      std::string key = read_string("key");
      if (key.empty()) fail("key is empty (expected a non-empty name)");
      ctx_ = "metadata key '" + key + "'";
      if (f_.key_index_.count(key)) fail("duplicate key (it appears earlier in the file)");
      const uint32_t type = read<uint32_t>("value type");
      GgufValue value = read_value(type);
      f_.key_index_.emplace(key, f_.metadata_.size());
      f_.metadata_.emplace_back(std::move(key), std::move(value));
    }
    ctx_.clear();
  }

  void check_type_number(uint32_t type, const char* what) const {
    if (type > static_cast<uint32_t>(GgufType::FLOAT64))
      fail(std::string("unknown ") + what + " " + std::to_string(type) + " (expected 0 to 12)");
  }

  GgufValue read_value(uint32_t type_number) {
    check_type_number(type_number, "value type");
    const auto type = static_cast<GgufType>(type_number);
    if (type != GgufType::ARRAY) return GgufValue::of(read_scalar(type));
    const uint32_t elem_number = read<uint32_t>("array element type");
    check_type_number(elem_number, "array element type");
    const auto elem = static_cast<GgufType>(elem_number);
    if (elem == GgufType::ARRAY) unsupported("nested arrays are not supported");
    const uint64_t n = read<uint64_t>("array length");
    GgufValue v;
    v.type = GgufType::ARRAY;
    v.array_type = elem;
    switch (elem) {
      case GgufType::UINT8:
        v.array = read_pod_array<uint8_t>(n);
        break;
      case GgufType::INT8:
        v.array = read_pod_array<int8_t>(n);
        break;
      case GgufType::UINT16:
        v.array = read_pod_array<uint16_t>(n);
        break;
      case GgufType::INT16:
        v.array = read_pod_array<int16_t>(n);
        break;
      case GgufType::UINT32:
        v.array = read_pod_array<uint32_t>(n);
        break;
      case GgufType::INT32:
        v.array = read_pod_array<int32_t>(n);
        break;
      case GgufType::FLOAT32:
        v.array = read_pod_array<float>(n);
        break;
      case GgufType::UINT64:
        v.array = read_pod_array<uint64_t>(n);
        break;
      case GgufType::INT64:
        v.array = read_pod_array<int64_t>(n);
        break;
      case GgufType::FLOAT64:
        v.array = read_pod_array<double>(n);
        break;
      case GgufType::BOOL: {
        check_array_fits(n, 1);
        std::vector<bool> out(static_cast<size_t>(n));
        for (uint64_t i = 0; i < n; ++i) out[i] = read_bool("array element");
        v.array = std::move(out);
        break;
      }
      case GgufType::STRING: {
        check_array_fits(n, 8);  // each string has at least its 8-byte length
        std::vector<std::string> out;
        out.reserve(static_cast<size_t>(n));
        for (uint64_t i = 0; i < n; ++i) out.push_back(read_string("array element string"));
        v.array = std::move(out);
        break;
      }
      case GgufType::ARRAY:
        break;  // rejected above
    }
    return v;
  }

  void check_array_fits(uint64_t n, uint64_t min_elem_bytes) const {
    if (n > left() / min_elem_bytes)
      fail("array length " + std::to_string(n) + " cannot fit: elements take at least " +
           std::to_string(min_elem_bytes) + " bytes each and only " + std::to_string(left()) +
           " bytes remain");
  }

  template <class T>
  std::vector<T> read_pod_array(uint64_t n) {
    check_array_fits(n, sizeof(T));
    std::vector<T> out(static_cast<size_t>(n));
    if (n > 0) std::memcpy(out.data(), base_ + pos_, static_cast<size_t>(n) * sizeof(T));
    pos_ += n * sizeof(T);
    return out;
  }

  bool read_bool(const char* field) {
    const uint8_t b = read<uint8_t>(field);
    if (b > 1) fail(std::string(field) + ": bool must be 0 or 1, found " + std::to_string(b));
    return b == 1;
  }

  GgufValue::Scalar read_scalar(GgufType type) {
    switch (type) {
      case GgufType::UINT8:
        return read<uint8_t>("value");
      case GgufType::INT8:
        return read<int8_t>("value");
      case GgufType::UINT16:
        return read<uint16_t>("value");
      case GgufType::INT16:
        return read<int16_t>("value");
      case GgufType::UINT32:
        return read<uint32_t>("value");
      case GgufType::INT32:
        return read<int32_t>("value");
      case GgufType::FLOAT32:
        return read<float>("value");
      case GgufType::BOOL:
        return read_bool("value");
      case GgufType::STRING:
        return read_string("string value");
      case GgufType::UINT64:
        return read<uint64_t>("value");
      case GgufType::INT64:
        return read<int64_t>("value");
      case GgufType::FLOAT64:
        return read<double>("value");
      case GgufType::ARRAY:
        break;
    }
    fail("internal: array passed to read_scalar");
  }

  void read_alignment() {
    const GgufValue* v = f_.find("general.alignment");
    if (v == nullptr) return;
    ctx_ = "metadata key 'general.alignment'";
    if (v->type != GgufType::UINT32)
      fail("expected uint32, found " + std::string(gguf_type_name(v->type)));
    const uint32_t a = std::get<uint32_t>(v->scalar);
    if (a == 0 || !std::has_single_bit(a))
      fail("expected a non-zero power of two, found " + std::to_string(a));
    f_.alignment_ = a;
    ctx_.clear();
  }

  void read_tensor_infos() {
    f_.tensors_.reserve(static_cast<size_t>(n_tensors_));
    for (uint64_t i = 0; i < n_tensors_; ++i) {
      ctx_ = "tensor info " + std::to_string(i) + " of " + std::to_string(n_tensors_);
      GgufTensorInfo t;
      t.name = read_string("name");
      if (t.name.empty()) fail("tensor name is empty (expected a non-empty name)");
      ctx_ = "tensor '" + t.name + "'";
      if (f_.tensor_index_.count(t.name))
        fail("duplicate tensor name (it appears earlier in the file)");
      const uint32_t n_dims = read<uint32_t>("n_dims");
      if (n_dims < 1 || n_dims > 4) fail("n_dims must be 1 to 4, found " + std::to_string(n_dims));
      for (uint32_t d = 0; d < n_dims; ++d) {
        const uint64_t ne = read<uint64_t>("dimension");
        if (ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          fail("dimension " + std::to_string(d) + " is " + std::to_string(ne) +
               " (negative as int64; expected >= 0)");
        t.ne.push_back(static_cast<int64_t>(ne));
      }
      const uint32_t type = read<uint32_t>("type");
      const TypeTraits* traits = find_type_traits(type);
      if (traits == nullptr) unsupported("unknown tensor type " + std::to_string(type));
      t.type = traits->type;
      t.offset = read<uint64_t>("offset");
      t.nbytes = tensor_bytes(t, *traits);
      f_.tensor_index_.emplace(t.name, f_.tensors_.size());
      f_.tensors_.push_back(std::move(t));
    }
    ctx_.clear();
  }

  uint64_t tensor_bytes(const GgufTensorInfo& t, const TypeTraits& traits) const {
    const auto bs = static_cast<uint64_t>(traits.block_size);
    const auto ne0 = static_cast<uint64_t>(t.ne[0]);
    if (ne0 % bs != 0)
      fail("row length ne[0] = " + std::to_string(ne0) + " is not a multiple of the " +
           std::string(traits.name) + " block size " + std::to_string(bs));
    uint64_t nbytes = (ne0 / bs) * traits.type_size;  // cannot overflow: ne0 < 2^63
    // Elements and rows are checked separately: with ne[0] == 0 the element count stays 0
    // while the row count (n_rows()) can still overflow.
    uint64_t elements = ne0, rows = 1;
    constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    for (size_t d = 1; d < t.ne.size(); ++d) {
      const auto ne = static_cast<uint64_t>(t.ne[d]);
      if (__builtin_mul_overflow(nbytes, ne, &nbytes) ||
          __builtin_mul_overflow(elements, ne, &elements) ||
          __builtin_mul_overflow(rows, ne, &rows) || elements > kMax || rows > kMax)
        fail("shape " + shape_string(t.ne) + " overflows 64-bit element, row or byte counts");
    }
    return nbytes;
  }

  void place_tensors() {
    // The data section starts at the end of the tensor infos, rounded up to the alignment.
    const uint64_t a = f_.alignment_;
    f_.data_offset_ = (pos_ + a - 1) / a * a;  // pos_ <= size_ < 2^63, a <= 2^31
    const uint64_t avail = f_.data_offset_ <= size_ ? size_ - f_.data_offset_ : 0;
    if (!f_.tensors_.empty() && f_.data_offset_ > size_)
      fail("data section would start at offset " + std::to_string(f_.data_offset_) +
           " (header end " + std::to_string(pos_) + " rounded up to alignment " +
           std::to_string(a) + "), past the end of the file (size " + std::to_string(size_) + ")");
    for (auto& t : f_.tensors_) {
      ctx_ = "tensor '" + t.name + "'";
      if (t.offset % a != 0)
        fail("data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
             std::to_string(a));
      if (t.offset > avail || t.nbytes > avail - t.offset)
        fail("data [offset " + std::to_string(t.offset) + ", " + std::to_string(t.nbytes) +
             " bytes] runs past the end of the file (size " + std::to_string(size_) +
             ", data section starts at " + std::to_string(f_.data_offset_) + ")");
      t.data = base_ + f_.data_offset_ + t.offset;
    }
    ctx_.clear();
  }

  static std::string hex_byte(uint8_t b) {
    const char* digits = "0123456789abcdef";
    return {digits[b >> 4], digits[b & 15]};
  }

  static std::string shape_string(const std::vector<int64_t>& ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
  }

  GgufFile& f_;
  const uint8_t* base_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
  std::string ctx_;  // what is being read, for messages: "tensor 'x'", "metadata key 'y'"
};

std::shared_ptr<GgufFile> GgufFile::open(const std::string& path) {
  std::shared_ptr<GgufFile> f(new GgufFile());
  f->path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    ::close(fd);
    throw InputError(path + ": not a regular file" +
                     (err ? std::string(": ") + std::strerror(err) : std::string()));
  }
  f->size_ = static_cast<uint64_t>(st.st_size);
  if (f->size_ < 24) {
    ::close(fd);
    throw InputError(path + ": file is " + std::to_string(f->size_) +
                     " bytes, too small for a GGUF header (at least 24 bytes)");
  }
  void* map = ::mmap(nullptr, static_cast<size_t>(f->size_), PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);  // the mapping keeps the file alive
  if (map == MAP_FAILED) throw Error(path + ": mmap failed: " + std::strerror(err));
  f->map_ = map;
  GgufParser(*f, static_cast<const uint8_t*>(map), f->size_).parse();
  // Everything before the tensor data is parsed into owned values now; its pages (4 MiB
  // for a 150k-token vocabulary) would otherwise stay resident for the model's lifetime.
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  if (const uint64_t header = f->data_offset_ / page * page; header > 0)
    ::madvise(map, static_cast<size_t>(header), MADV_DONTNEED);
  return f;
}

std::shared_ptr<GgufFile> GgufFile::open_memory(const std::string& name, const void* data,
                                                size_t size) {
  std::shared_ptr<GgufFile> f(new GgufFile());
  f->path_ = name;
  f->size_ = size;
  // 64-byte aligned like a page-aligned mapping would be, so SIMD kernels see the same
  // tensor alignment whichever way the file was opened.
  const size_t alloc = (size + 63) / 64 * 64 + 64;
  f->owned_ = std::shared_ptr<void>(::operator new(alloc, std::align_val_t(64)),
                                    [](void* p) { ::operator delete(p, std::align_val_t(64)); });
  if (size > 0) std::memcpy(f->owned_.get(), data, size);
  if (size < 24)
    throw InputError(name + ": file is " + std::to_string(size) +
                     " bytes, too small for a GGUF header (at least 24 bytes)");
  GgufParser(*f, static_cast<const uint8_t*>(f->owned_.get()), size).parse();
  return f;
}

GgufFile::~GgufFile() {
  if (map_ != nullptr) ::munmap(map_, static_cast<size_t>(size_));
}

}  // namespace tq
