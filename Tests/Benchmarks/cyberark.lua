-- wrk script: a CyberArk SMS invitation per request (any UUID is known without --users-file).
wrk.method = "POST"
wrk.path = "/UserMgmt/SendSmsInvite?ID=3f2504e0-4f89-11d3-9a0c-0305e82c3301"
wrk.headers["Authorization"] = "Bearer bench-token"
