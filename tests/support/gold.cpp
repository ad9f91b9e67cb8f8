#include "support/gold.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

namespace tq::test {

std::filesystem::path gold_dir() {
  if (const char* env = std::getenv("TQ_GOLD_DIR")) return env;
  return std::filesystem::path(TQ_SOURCE_DIR) / ".." / "shared" / "gold";
}

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("TQ_DATA_DIR")) return env;
  return std::filesystem::path(TQ_SOURCE_DIR) / ".." / "shared" / "data";
}

bool require_gold() {
  const char* env = std::getenv("REQUIRE_GOLD");
  return env != nullptr && std::string(env) == "1";
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "tq_tests" /
                   (name + "." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace tq::test
