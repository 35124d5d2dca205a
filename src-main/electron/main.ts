// Placeholder replaced by the Electron shell (issue 3).
export {};
