// A real plugin host for tests: an engine over a SqliteStore in a temporary
// directory, EngineHostServices, PluginHost loading real .so files, and an
// in-process gRPC server on port 0 that serves the plugins' methods.
//
// The test process is the host here, so it must not link any plugin's
// generated code (it would clash with the plugin's copy at load). Plugin
// messages are built from the descriptors the loaded plugin registered
// (CallText), or with the SDK's wire codec.
#ifndef RETAIN_TESTS_PLUGINS_PLUGIN_ENV_H_
#define RETAIN_TESTS_PLUGINS_PLUGIN_ENV_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/engine/engine.h"
#include "core/plugin_host/engine_services.h"
#include "core/plugin_host/plugin_host.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"

namespace retain::testing {

// Path of a file in the test's runfiles, e.g. "plugins/template/libnotes.so".
std::string Runfile(const std::string& path);
// A fresh temporary directory.
std::string TempDir(const std::string& prefix);
// Writes text to a file and returns its path.
std::string WriteFile(const std::string& path, const std::string& text);

class PluginEnv {
 public:
  struct Options {
    std::vector<std::string> plugins;  // runfile paths or absolute paths
    std::string config_json;           // written to a file when set
    std::string data_dir;              // fresh when empty
    std::function<absl::Time()> clock;
    absl::Duration call_timeout = absl::Seconds(10);
    // No alert observer wakes the health-event feeds here: they find new
    // alerts only by their full poll, kept short.
    absl::Duration health_feed_full_poll = absl::Seconds(2);
  };

  static std::unique_ptr<PluginEnv> Start(Options options);
  ~PluginEnv();

  engine::Engine& engine() { return *engine_; }
  plugin_host::PluginHost& host() { return *host_; }
  plugin_host::EngineHostServices& services() { return *services_; }
  grpc::Server& server() { return *server_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  const std::string& data_dir() const { return data_dir_; }

  // Stops server, host and engine (data_dir stays).
  void Stop();

  // Raw call to a plugin method ("/pkg.Service/Method").
  grpc::Status CallRaw(const std::string& method, const std::string& request,
                       std::string* response,
                       absl::Duration deadline = absl::Seconds(30));

  // Call with request/response in protobuf text format, message types taken
  // from the method's descriptor as registered by the loaded plugin.
  // `method` is "package.Service.Method".
  grpc::Status CallText(const std::string& method,
                        const std::string& request_text,
                        std::unique_ptr<google::protobuf::Message>* response);

  plugin::v1::PluginState StateOf(const std::string& name);

  // Creates an account with the given id, ARR and seats.
  void CreateAccount(const std::string& id, double arr, int seats = 100,
                     const std::string& tenant = "default");
  // Records signals given in text format (retain.signal.v1.Signal each).
  void Record(const std::vector<std::string>& signal_texts,
              const std::string& tenant = "default");

  // Polls `cond` until true or 60 s pass (no timing assertions: the bound
  // only stops a broken test from hanging).
  static bool Eventually(const std::function<bool()>& cond);

 private:
  PluginEnv() = default;
  std::string data_dir_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<plugin_host::EngineHostServices> services_;
  std::unique_ptr<plugin_host::PluginHost> host_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<std::atomic<plugin_host::PluginHost*>> notify_;
};

}  // namespace retain::testing

#endif  // RETAIN_TESTS_PLUGINS_PLUGIN_ENV_H_
