package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// --shard auto brings each engine's numbering to one slice, and refuses
// what it cannot map rather than running a slice the merge would miss.
func TestShardFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		i, n int
		err  string
	}{
		{"ci matrix", map[string]string{"PATCHBAY_SHARD_INDEX": "3", "PATCHBAY_SHARD_COUNT": "4"}, 2, 4, ""},
		{"kubernetes", map[string]string{"JOB_COMPLETION_INDEX": "0", "PATCHBAY_SHARD_COUNT": "4"}, 0, 4, ""},
		{"gitlab", map[string]string{"CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "4"}, 3, 4, ""},
		{"slurm from 0", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3", "SLURM_ARRAY_TASK_COUNT": "4"}, 2, 4, ""},
		{"slurm from 1", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"}, 0, 4, ""},
		{"slurm stepped", map[string]string{"SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "12", "SLURM_ARRAY_TASK_STEP": "4", "SLURM_ARRAY_TASK_COUNT": "4"}, 3, 4, ""},
		{"agreeing engines", map[string]string{"JOB_COMPLETION_INDEX": "1", "PATCHBAY_SHARD_INDEX": "2", "PATCHBAY_SHARD_COUNT": "3"}, 1, 3, ""},
		{"nothing", map[string]string{"PATCHBAY_SHARD_COUNT": "3"}, 0, 0, "no shard in the environment"},
		{"no count", map[string]string{"JOB_COMPLETION_INDEX": "1"}, 0, 0, "JOB_COMPLETION_INDEX is set but PATCHBAY_SHARD_COUNT is not"},
		{"index from 1", map[string]string{"PATCHBAY_SHARD_INDEX": "0", "PATCHBAY_SHARD_COUNT": "3"}, 0, 0, "PATCHBAY_SHARD_INDEX=0 is outside 1 to 3"},
		{"index past count", map[string]string{"JOB_COMPLETION_INDEX": "3", "PATCHBAY_SHARD_COUNT": "3"}, 0, 0, "JOB_COMPLETION_INDEX=3 is outside 0 to 2"},
		{"not a number", map[string]string{"CI_NODE_INDEX": "one", "CI_NODE_TOTAL": "3"}, 0, 0, `CI_NODE_INDEX="one" is not a whole number`},
		{"disagreeing engines", map[string]string{"JOB_COMPLETION_INDEX": "1", "PATCHBAY_SHARD_COUNT": "3", "CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"}, 0, 0, "names two shards: 2/3 from a Kubernetes Indexed Job"},
		{"slurm list", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "7", "SLURM_ARRAY_TASK_COUNT": "3"}, 0, 0, "not evenly spaced"},
		{"slurm without count", map[string]string{"SLURM_ARRAY_TASK_ID": "3"}, 0, 0, "SLURM_ARRAY_TASK_MIN or SLURM_ARRAY_TASK_COUNT is not"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i, n, err := shardFromEnv(func(k string) string { return tc.env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %d/%d, %v; want an error saying %q", i, n, err, tc.err)
				}
				return
			}
			if err != nil || i != tc.i || n != tc.n {
				t.Fatalf("got %d/%d, %v; want %d/%d", i, n, err, tc.i, tc.n)
			}
		})
	}
}

// The Kubernetes manifest's shard command, run here once per index with
// the variables the control plane would set, merges into the unsharded
// report; and the shard count it repeats in several places agrees.
func TestSweepJobManifest(t *testing.T) {
	b, err := os.ReadFile("../../deploy/k8s/sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type container struct {
		Command []string `yaml:"command"`
		Args    []string `yaml:"args"`
		Env     []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"env"`
	}
	type job struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			CompletionMode string `yaml:"completionMode"`
			Completions    int    `yaml:"completions"`
			Parallelism    int    `yaml:"parallelism"`
			Template       struct {
				Spec struct {
					InitContainers []container `yaml:"initContainers"`
					Containers     []container `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	var sweep, merge *job
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var j job
		if err := dec.Decode(&j); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		switch {
		case j.Kind == "Job" && j.Spec.CompletionMode == "Indexed":
			sweep = &j
		case j.Kind == "Job":
			merge = &j
		}
	}
	if sweep == nil || merge == nil || len(sweep.Spec.Template.Spec.Containers) != 1 || len(merge.Spec.Template.Spec.InitContainers) != 1 {
		t.Fatal("want an Indexed Job of one container and a merge Job that waits in an init container")
	}
	n := sweep.Spec.Completions
	shard := sweep.Spec.Template.Spec.Containers[0]
	count := ""
	for _, e := range shard.Env {
		if e.Name == "PATCHBAY_SHARD_COUNT" {
			count = e.Value
		}
	}
	wait := strings.Join(merge.Spec.Template.Spec.InitContainers[0].Command, " ")
	if count != strconv.Itoa(n) || sweep.Spec.Parallelism > n || !strings.Contains(wait, fmt.Sprintf("-ge %d ]", n)) {
		t.Fatalf("completions %d, PATCHBAY_SHARD_COUNT %q, parallelism %d, merge waits with %q: want one shard count", n, count, sweep.Spec.Parallelism, wait)
	}

	lm, err := filepath.Abs("../../examples/last_mile.star")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var whole, errb bytes.Buffer
	if code := run([]string{"sweep", "--format", "json", lm}, &whole, &errb); code != 1 {
		t.Fatalf("unsharded: exit %d: %s", code, errb.String())
	}
	t.Setenv("PATCHBAY_SHARD_COUNT", count)
	var shards []string
	for i := range n {
		t.Setenv("JOB_COMPLETION_INDEX", strconv.Itoa(i))
		// As the kubelet expands $(VAR) in args, and with the volumes here.
		var args []string
		for _, a := range shard.Args {
			a = strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", strconv.Itoa(i))
			a = strings.ReplaceAll(a, "/shards", dir)
			args = append(args, strings.ReplaceAll(a, "/design/design.star", lm))
		}
		var out bytes.Buffer
		errb.Reset()
		if code := run(args, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		shards = append(shards, filepath.Join(dir, fmt.Sprintf("shard-%d.json", i)))
	}
	var merged bytes.Buffer
	errb.Reset()
	if code := run(append([]string{"sweep", "merge", "--format", "json", lm}, shards...), &merged, &errb); code != 1 {
		t.Fatalf("merge: exit %d: %s", code, errb.String())
	}
	if !bytes.Equal(merged.Bytes(), whole.Bytes()) {
		t.Fatal("the manifest's shards, merged, differ from the unsharded sweep")
	}
}
