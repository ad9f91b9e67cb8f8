#include "core/config.h"

#include <cstdlib>
#include <sstream>

#include "core/error.h"

namespace tq {
namespace {

std::string describe(const toml::parse_error& e, std::string_view origin) {
  std::ostringstream out;
  const auto& where = e.source().begin;
  out << origin << ":" << where.line << ":" << where.column << ": " << e.description();
  return out.str();
}

const toml::node* find(const toml::table& t, std::string_view dotted) {
  return t.at_path(dotted).node();
}

[[noreturn]] void wrong_type(std::string_view dotted, std::string_view expected,
                             const toml::node& n) {
  std::ostringstream out;
  out << "config key '" << dotted << "' must be " << expected << ", found " << n.type();
  throw InputError(out.str());
}

}  // namespace

toml::table load_config_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (e.source().path == nullptr &&
        e.description().find("File could not be opened") != std::string_view::npos) {
      throw InputError("cannot open config file " + path);
    }
    throw InputError("config " + describe(e, path));
  }
}

toml::table parse_config(std::string_view text, std::string_view origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw InputError("config " + describe(e, origin));
  }
}

std::optional<std::string> config_string(const toml::table& t, std::string_view dotted) {
  const toml::node* n = find(t, dotted);
  if (n == nullptr) return std::nullopt;
  if (auto v = n->value<std::string>(); v && n->is_string()) return *v;
  wrong_type(dotted, "a string", *n);
}

std::optional<int64_t> config_int(const toml::table& t, std::string_view dotted) {
  const toml::node* n = find(t, dotted);
  if (n == nullptr) return std::nullopt;
  if (n->is_integer()) return n->value<int64_t>();
  wrong_type(dotted, "an integer", *n);
}

std::optional<double> config_number(const toml::table& t, std::string_view dotted) {
  const toml::node* n = find(t, dotted);
  if (n == nullptr) return std::nullopt;
  if (n->is_number()) return n->value<double>();
  wrong_type(dotted, "a number", *n);
}

std::optional<bool> config_bool(const toml::table& t, std::string_view dotted) {
  const toml::node* n = find(t, dotted);
  if (n == nullptr) return std::nullopt;
  if (n->is_boolean()) return n->value<bool>();
  wrong_type(dotted, "true or false", *n);
}

std::string secret_from_env(std::string_view env_name, std::string_view config_key) {
  const std::string name(env_name);
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == '\0') {
    throw InputError("environment variable " + name + " is not set (named by config key '" +
                     std::string(config_key) + "'); export it before starting triptyque");
  }
  return v;
}

}  // namespace tq
