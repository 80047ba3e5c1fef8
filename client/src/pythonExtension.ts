// The Python extension's active environment, when that extension is installed.

import { PythonExtension } from "@vscode/python-extension";
import * as vscode from "vscode";

const PYTHON_EXTENSION_ID = "ms-python.python";

function installed(): boolean {
  return vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
}

/** The active interpreter's executable for `resource`, or undefined. */
export async function activeInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
  if (!installed()) {
    return undefined;
  }
  const api = await PythonExtension.api();
  const environmentPath = api.environments.getActiveEnvironmentPath(resource);
  const environment = await api.environments.resolveEnvironment(environmentPath);
  return environment?.executable.uri?.fsPath;
}

/** Calls `listener` when the user picks another interpreter in the Python extension. */
export async function onActiveInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  if (!installed()) {
    return undefined;
  }
  const api = await PythonExtension.api();
  return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
}
