// triptyque init: writes a commented starter configuration — one local model, a remote LLM
// to uncomment, task routes with a cascade, budgets, an API key (its secret printed once,
// only its SHA-256 written), the guard's policy and retention periods. Provider secrets
// are named by environment variable, never written.
#include <openssl/rand.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "server/auth.h"

namespace tq::cli {
namespace {

namespace fs = std::filesystem;

struct InitOptions {
  std::string out = "triptyque.toml";
  std::string model;
  bool force = false;
};

constexpr const char* kStarter = R"toml(# triptyque configuration, written by `triptyque init`.
# Serve it with:  triptyque serve --config @FILE@
# Relative paths are resolved against the folder of this file. Secrets never live here:
# API keys are stored as SHA-256 hashes, provider secrets are named by environment variable.

[server]
host = "127.0.0.1"         # address to listen on (--host overrides)
port = 8080                # --port overrides; 0: any free port
threads = 16               # HTTP workers; a kept-alive connection or a stream holds one
max_body_bytes = 4194304   # larger request bodies get 413
max_tokens = 32768         # the most a request may ask for
# listen_backlog = 1024    # pending connections queued by the kernel
# keep_alive_max_count = 10000
# [server.cors]            # browsers on these origins may call the API (preflight + headers)
# origins = ["https://app.example.com"]   # scheme://host[:port]; "*": any origin
# max_age_s = 600          # how long a browser may cache a preflight answer
# [server.tls]             # HTTPS; PEM files, relative to this file
# cert = "tls/cert.pem"
# key = "tls/key.pem"

# API keys. Without any [[server.keys]] the server is open (no authentication).
# sha256 = the hex SHA-256 of the secret:  printf %s 'sk-…' | sha256sum
[[server.keys]]
name = "default"           # what the ledger records (never the secret)
sha256 = "@KEY_HASH@"
# scopes = ["chat", "completions", "embeddings", "models", "kb", "tasks"]  # omit: all
requests_per_minute = 600  # over it: 429 with Retry-After; 0: unlimited
# tokens_per_minute = 100000  # prompt + completion tokens over the last 60 s (chat,
#                             # completions, embeddings); over it: 429 + Retry-After
# data_policy = "local_only"  # this key's requests never go to remote models

[ledger]
path = "triptyque-ledger.sqlite"  # one row per attempt: route, reason, tokens, latency, €, Wh
log_text = false                  # true: keep prompts and answers (see retention)

# The local engine: GGUF models run in this process.
[providers.local]
kind = "local"
models = { "slm" = "@MODEL@" }
# models_dir = "models"    # or every *.gguf of a folder, named by file stem
max_loaded = 2             # at most this many models in memory (LRU)
n_slots = 4                # concurrent sequences per model (continuous batching)
n_ctx = 4096
threads = 0                # 0: physical cores
price_eur_per_hour = 0.05  # machine cost, amortised over measured tokens/s
cpu_watts_per_core = 10    # energy estimate: Wh = measured CPU s × this / 3600 (set yours)

# A remote OpenAI-compatible LLM (OpenAI, Mistral, vLLM, llama-server, another triptyque).
# Uncomment, export the key, and point the routes below at it.
# [providers.cloud]
# kind = "openai"
# base_url = "https://api.openai.com/v1"
# api_key_env = "OPENAI_API_KEY"   # the variable holding the secret
# models = ["gpt-4o-mini"]
# local = false                    # true only if it runs on premises
# max_retries = 2
# total_timeout_ms = 120000
# prices = { "gpt-4o-mini" = { input_eur_per_mtok = 0.14, output_eur_per_mtok = 0.55 } }

# Routes: model "auto" means default_task; a task name selects its rule.
[router]
default_task = "chat"
# fallbacks = [{ provider = "local", model = "slm" }]  # where failures and local-only data go
# local_only_findings = ["NIR"]  # guard findings that keep a request local (default: the
#                                # types [guard.policy] marks local_only)

[router.tasks.chat]
mode = "slm"               # slm | llm | cascade
slm = { provider = "local", model = "slm" }
# With the remote provider above:
# mode = "cascade"         # the SLM first; the LLM when unsure or the JSON is invalid
# llm = { provider = "cloud", model = "gpt-4o-mini" }
# min_mean_logprob = -1.0  # escalate below this mean token log-probability

[router.budgets]
on_exhausted = "downgrade"  # downgrade (to a local model) or refuse (429)
global_eur_per_day = 20.0
global_eur_per_month = 300.0
# [router.budgets.keys.default]
# eur_per_day = 5.0

# The data guard: what may leave the premises, per entity type and data label.
[guard]
min_confidence = 0.5
allow = []                 # values never reported (your own support address…)
deny = []                  # terms always protected (project code names…)
# audit = "triptyque-audit.sqlite"  # default: beside the ledger

[guard.policy]             # allow | pseudonymise | local_only | block
EMAIL = "pseudonymise"
PHONE = "pseudonymise"
IBAN = "pseudonymise"
CARD = "pseudonymise"
PERSON = "pseudonymise"
NIR = "local_only"         # a social-security number is a key to health data

[guard.labels]             # labels of knowledge-base collections
public = "allow"
internal = "allow"
confidential = "local_only"
secret = "block"

[kb]
path = "triptyque-kb.sqlite"

[tasks]
plans = "triptyque-plans.sqlite"

# GDPR storage limitation: enforced at start-up and every check_interval_s while serving.
[retention]
ledger_days = 400
ledger_text_days = 30
audit_days = 1095
plans_days = 90
check_interval_s = 3600
)toml";

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

std::string new_api_key() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw Error("no randomness for an API key");
  static const char* hex = "0123456789abcdef";
  std::string key = "sk-tq-";
  for (unsigned char b : bytes) {
    key += hex[b >> 4];
    key += hex[b & 15];
  }
  return key;
}

int run_init(const InitOptions& o) {
  if (fs::exists(o.out) && !o.force)
    throw InputError(o.out + " exists: give --force to overwrite it, or --out another file");
  std::string text = kStarter;
  const std::string key = new_api_key();
  replace_all(text, "@FILE@", o.out);
  replace_all(text, "@KEY_HASH@", sha256_hex(key));
  replace_all(text, "@MODEL@",
              o.model.empty() ? "models/qwen2.5-0.5b-instruct-q4_k_m.gguf"
                              : fs::absolute(o.model).string());
  std::ofstream f(o.out, std::ios::binary | std::ios::trunc);
  if (!f || !(f << text) || !f.flush()) throw InputError("cannot write " + o.out);
  std::fprintf(stderr,
               "triptyque init: wrote %s\n"
               "API key \"default\" (shown once; only its SHA-256 is in the file):\n",
               o.out.c_str());
  std::printf("%s\n", key.c_str());
  if (o.model.empty())
    std::fprintf(stderr, "set [providers.local] models to your GGUF file (or use --model)\n");
  return kExitOk;
}

}  // namespace

Action register_init(CLI::App& app) {
  auto o = std::make_shared<InitOptions>();
  CLI::App* cmd = app.add_subcommand("init", "Write a commented starter configuration");
  cmd->add_option("--out", o->out, "File to write (default triptyque.toml)");
  cmd->add_option("-m,--model", o->model, "GGUF file for the local model")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--force", o->force, "Overwrite an existing file");
  return [o] { return run_init(*o); };
}

}  // namespace tq::cli
