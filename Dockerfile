# syntax=docker/dockerfile:1
# RawChat API image: build with the .NET 10 SDK, run on the ASP.NET Core 10 runtime.
# The default 10.0 tags are Ubuntu 24.04 (noble); the runtime image has bash but no curl.
# RawChat.Tests/Deployment/DeploymentFilesTests.cs checks this file against the project.

# The SDK runs on the build machine's platform and compiles for the target's (docker buildx
# --platform linux/arm64 works without emulating the compiler); TARGETARCH is amd64 or arm64.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src

# Restore first, from the build settings and project files only, so the restore layer stays
# cached until a package or project reference changes. The test project is not copied, so
# restore the API project rather than the solution.
COPY RawChat.sln Directory.Build.props Directory.Packages.props global.json .editorconfig ./
COPY RawChat.Core/RawChat.Core.csproj RawChat.Core/
COPY RawChat.Api/RawChat.Api.csproj RawChat.Api/
RUN dotnet restore RawChat.Api/RawChat.Api.csproj -a $TARGETARCH -p:PublishReadyToRun=true

# Why not PublishTrimmed: trimming needs a self-contained app, so the image would carry its own
# copy of the runtime instead of the one the aspnet base image already has; and Dapper (IL emitted
# at run time for each row type) and DbUp (scripts found by reflection over embedded resources)
# are not trim-safe, so a trimmed build could fail at run time in ways no warning pins down. Instead: a framework-dependent Release build,
# precompiled to native code (ReadyToRun) for a fast start, and a final image without the SDK,
# the sources or the tests — only the published files.
COPY RawChat.Core/ RawChat.Core/
COPY RawChat.Api/ RawChat.Api/
RUN dotnet publish RawChat.Api/RawChat.Api.csproj -c Release -o /app -a $TARGETARCH --no-self-contained \
        --no-restore -p:PublishReadyToRun=true -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .

# The unprefixed Urls variable outranks both ASPNETCORE_URLS and the Urls key in
# appsettings.json (which defaults to 127.0.0.1, unreachable from outside the container).
ENV Urls=http://0.0.0.0:8080
EXPOSE 8080

# Non-root user "app" (uid 1654) provided by the official images.
USER $APP_UID

# No curl in the image: ask /healthz over bash's /dev/tcp. Adjust the port if you change Urls.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && IFS= read -r -t 2 status <&3 && [[ $status == *' 200 '* ]]"]

ENTRYPOINT ["dotnet", "RawChat.Api.dll"]
