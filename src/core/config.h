// The one TOML configuration file (docs/ARCHITECTURE.md): each module reads its own
// section from the parsed table. Secrets never live in the file: it names the
// environment variables that hold them (`api_key_env = "OPENAI_API_KEY"`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace tq {

// Parses `path`; a syntax error becomes an InputError naming the file, line and column.
toml::table load_config_file(const std::string& path);

// Parses TOML text (tests, `--config-inline`); `origin` names it in errors.
toml::table parse_config(std::string_view text, std::string_view origin);

// Typed lookups on a dotted path ("server.port") that say which key was wrong and what
// type was expected, instead of silently using the default for a mistyped value.
std::optional<std::string> config_string(const toml::table& t, std::string_view dotted);
std::optional<int64_t> config_int(const toml::table& t, std::string_view dotted);
std::optional<double> config_number(const toml::table& t, std::string_view dotted);
std::optional<bool> config_bool(const toml::table& t, std::string_view dotted);

// The value of the environment variable named by `env_name`, or an InputError saying
// which variable to set and which config key asked for it.
std::string secret_from_env(std::string_view env_name, std::string_view config_key);

}  // namespace tq
