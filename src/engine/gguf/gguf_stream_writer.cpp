// The layout is GgufWriter's: header and metadata (written by a GgufWriter with no
// tensors, which stops right after the metadata), then the tensor count patched in, the
// tensor infos, padding, and each tensor's bytes padded to the alignment.
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <variant>

#include <unistd.h>

#include "core/error.h"
#include "engine/gguf/gguf_stream.h"

namespace tq {
namespace {

uint64_t align_up(uint64_t n, uint64_t a) {
  return (n + a - 1) / a * a;
}

// Owns the FILE* and turns short writes into one exception naming the file.
class OutFile {
 public:
  OutFile(const std::string& path, const char* mode) : path_(path) {
    f_ = std::fopen(path.c_str(), mode);
    if (f_ == nullptr) throw Error(path + ": cannot open for writing: " + std::strerror(errno));
  }
  ~OutFile() {
    if (f_ != nullptr) std::fclose(f_);
  }
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;

  void write(const void* p, size_t n) {
    if (n > 0 && std::fwrite(p, 1, n, f_) != n) fail("writing");
  }
  template <class T>
  void put(T v) {
    write(&v, sizeof v);
  }
  void zeros(uint64_t n) {
    static const uint8_t z[256] = {};
    for (; n > 0; n -= std::min<uint64_t>(n, sizeof z)) write(z, std::min<uint64_t>(n, sizeof z));
  }
  void seek(long offset, int whence) {
    if (std::fseek(f_, offset, whence) != 0) fail("seeking in");
  }
  uint64_t tell() {
    const off_t pos = ftello(f_);
    if (pos < 0) fail("locating the end of");
    return static_cast<uint64_t>(pos);
  }
  // Grows the file by n bytes without writing them: a hole, which reads as zeros.
  void extend_by(uint64_t n) {
    const uint64_t size = tell() + n;
    if (std::fflush(f_) != 0 || ftruncate(fileno(f_), static_cast<off_t>(size)) != 0)
      fail("extending");
  }
  void close() {
    std::FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0) fail("closing");
  }

 private:
  [[noreturn]] void fail(const char* what) {
    throw Error(path_ + ": " + what + " the file failed: " + std::strerror(errno));
  }
  std::string path_;
  std::FILE* f_ = nullptr;
};

}  // namespace

void GgufStreamWriter::set(std::string key, GgufValue value) {
  if (key == "general.alignment") {
    const auto* a = std::get_if<uint32_t>(&value.scalar);
    if (value.type != GgufType::UINT32 || a == nullptr || *a == 0 || !std::has_single_bit(*a))
      throw InputError("GGUF writer: general.alignment must be a uint32 power of two");
    if (!tensors_.empty())
      throw Error("GGUF stream writer: set general.alignment before declaring tensors");
    alignment_ = *a;
  }
  metadata_.set(std::move(key), std::move(value));
}

uint64_t GgufStreamWriter::add_tensor_info(std::string name, GgmlType type,
                                           std::vector<int64_t> ne) {
  for (const auto& t : tensors_)
    if (t.name == name)
      throw InputError("GGUF writer: tensor '" + name + "': duplicate tensor name");
  const uint64_t bytes = tensor_bytes_for_writing(name, type, ne);

  GgufTensorInfo info;
  info.name = std::move(name);
  info.type = type;
  info.ne = std::move(ne);
  info.nbytes = bytes;
  info.offset =
      tensors_.empty() ? 0 : align_up(tensors_.back().offset + tensors_.back().nbytes, alignment_);
  tensors_.push_back(std::move(info));
  return bytes;
}

void GgufStreamWriter::write(const std::string& path, const Producer& produce) const {
  write_file(path, &produce);
}

void GgufStreamWriter::write_layout(const std::string& path) const {
  write_file(path, nullptr);
}

void GgufStreamWriter::write_file(const std::string& path, const Producer* produce) const {
  const std::string part = path + ".part";
  try {
    metadata_.write(part);  // header with n_tensors = 0, then the metadata
    OutFile out(part, "r+b");
    out.seek(8, SEEK_SET);  // after the magic and the version
    out.put<uint64_t>(tensors_.size());
    out.seek(0, SEEK_END);
    for (const auto& t : tensors_) {
      out.put<uint64_t>(t.name.size());
      out.write(t.name.data(), t.name.size());
      out.put<uint32_t>(static_cast<uint32_t>(t.ne.size()));
      for (int64_t d : t.ne) out.put<uint64_t>(static_cast<uint64_t>(d));
      out.put<uint32_t>(static_cast<uint32_t>(t.type));
      out.put<uint64_t>(t.offset);
    }
    // As GgufWriter does: the data section is aligned only when there is one.
    if (!tensors_.empty()) {
      const uint64_t header_end = out.tell();
      out.zeros(align_up(header_end, alignment_) - header_end);
    }
    if (produce == nullptr && !tensors_.empty()) {
      const GgufTensorInfo& last = tensors_.back();
      out.extend_by(last.offset + align_up(last.nbytes, alignment_));
    }
    for (size_t i = 0; produce != nullptr && i < tensors_.size(); ++i) {
      const GgufTensorInfo& t = tensors_[i];
      uint64_t emitted = 0;
      (*produce)(i, t, [&](const void* p, size_t n) {
        if (emitted + n > t.nbytes)
          throw Error("GGUF stream writer: tensor '" + t.name + "': more than " +
                      std::to_string(t.nbytes) + " bytes produced");
        out.write(p, n);
        emitted += n;
      });
      if (emitted != t.nbytes)
        throw Error("GGUF stream writer: tensor '" + t.name + "': " + std::to_string(emitted) +
                    " bytes produced, expected " + std::to_string(t.nbytes));
      out.zeros(align_up(t.nbytes, alignment_) - t.nbytes);
    }
    out.close();
  } catch (...) {
    std::remove(part.c_str());
    throw;
  }
  if (std::rename(part.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(part.c_str());
    throw Error(path + ": cannot rename " + part + " into place: " + std::strerror(err));
  }
}

}  // namespace tq
