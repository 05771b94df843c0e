package api

// Inputs are the decoded source documents, in the order they were read.
type Inputs struct {
	Packs     []*SkillPack
	Instances []*Instance
	Runs      []*AgentRun
	Schedules []*Schedule
	Configs   []*CompilerConfig
}
