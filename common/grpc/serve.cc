#include "common/grpc/serve.h"

#include "common/grpc/grpc_server.h"
#include "common/ports_file.h"
#include "common/signals.h"
#include "common/startup_pages.h"
#include "glog/logging.h"

namespace jsengine::common::grpc {

int ServeUntilTerminated(absl::string_view name, const std::string& listen,
                         const std::string& ports_file_dir,
                         const std::vector<::grpc::Service*>& services,
                         const GrpcCredentials& credentials, absl::string_view detail) {
  auto server = GrpcServer::Start(listen, services, credentials);
  if (!server.ok()) {
    LOG(ERROR) << server.status();
    return 1;
  }
  LOG(INFO) << name << " listening on " << listen << " (port " << (*server)->port() << ", "
            << credentials.Describe() << ")" << detail;
  auto ports_file = PortsFile::Write(ports_file_dir, GrpcOnlyPorts(listen, (*server)->port()));
  if (!ports_file.ok()) {
    LOG(ERROR) << ports_file.status();
    return 1;
  }
  DropStartupCodePages();
  int signal_number = WaitForTerminationSignal();
  LOG(INFO) << name << ": signal " << signal_number << ", shutting down";
  ports_file->reset();
  (*server)->Shutdown();
  return 0;
}

}  // namespace jsengine::common::grpc
