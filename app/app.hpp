// The vkae command line as a library (app/cli.hpp, app/commands.hpp); main.cpp only calls run_cli.
#pragma once
