// `pith-merge keygen`: a new Ed25519 signing key, written with mode 0600; prints its public entry.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "pith/keys.h"

namespace pith::cli {
namespace {

struct KeygenOptions {
  std::string out;
  std::string key_id;
  std::optional<std::string> signer_id;
  std::optional<std::string> signer_type;
};

int RunKeygen(const KeygenOptions& opts) {
  if (opts.key_id.empty()) {
    ReportError("", "--key-id must not be empty");
    return kExitBadInput;
  }
  SigningKey key = MakeSigningKey(opts.key_id, Ed25519Generate(), opts.signer_id, opts.signer_type);
  std::string text = json::Canonical(SigningKeyToJson(key)) + "\n";
  Status written = WriteNewFile(opts.out, text, 0600);
  if (!written.ok()) return Fail("", written);
  std::cout << json::Canonical(key.public_entry) << std::endl;
  return kExitOk;
}

}  // namespace

void RegisterKeygenCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<KeygenOptions>();
  CLI::App* cmd = app.add_subcommand(
      "keygen", "generate an Ed25519 signing key (file mode 0600, never overwritten); print its public_keys entry");
  cmd->add_option("--out", opts->out, "where to write the secret key (must not exist)")->required();
  cmd->add_option("--key-id", opts->key_id, "the key's key_id")->required();
  cmd->add_option("--signer-id", opts->signer_id, "bind the key to this signer_id");
  cmd->add_option("--signer-type", opts->signer_type, "bind the key to this signer_type");
  cmd->callback([opts, exit_code] { *exit_code = RunKeygen(*opts); });
}

}  // namespace pith::cli
