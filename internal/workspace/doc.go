// Package workspace owns workspace names and the directories behind them:
// validation of names, and paths confined to one login's root under
// <data>/workspaces/<login>/.
//
// It never trusts a name it did not validate, and it never touches PTYs or
// SSH.
package workspace
