package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"postwork/chain"
	"postwork/relay/store"
)

func runChain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := newFlagSet("chain", "postwork chain verify --data DIR [--network NAME]",
		`Commands on the chain a full node stores:

  verify   re-validate the stored best chain from genesis`)
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() == 0 {
		return usageError(flags, stderr, "missing subcommand")
	}
	switch sub, rest := flags.Arg(0), flags.Args()[1:]; sub {
	case "verify":
		return runChainVerify(rest, stdout, stderr)
	default:
		return usageError(flags, stderr, "unknown subcommand %q", sub)
	}
}

// verifyProgressEvery is how many blocks pass between progress lines.
const verifyProgressEvery = 500

func runChainVerify(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("chain verify", "postwork chain verify --data DIR [--network NAME]",
		`Re-validates the best chain stored in a node's data directory, from the
genesis block to the tip, with the rules a node applies to a block it
receives: proof of work, difficulty, linkage and time (against the blocks
before it and this machine's clock), body limits, Merkle root, every post's
id and signature, the reward, and that no post appears twice in the chain.
It also checks that the store records every post of the chain as confirmed
where the chain has it. Progress goes to stderr. Prints

  ok: <blocks> blocks, <posts> posts, tip <hash>

and exits 0, or prints the first problem (height, block hash, reason) and
exits 1. It may run beside a node using the same directory.`)
	data := flags.String("data", "", "the node's data directory (holds "+store.FileName+")")
	network := flags.String("network", "", "network the store must hold: "+networkNames()+" (default: the one it records)")
	if code, ok := parseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() > 0 {
		return usageError(flags, stderr, "unexpected argument %q", flags.Arg(0))
	}
	if *data == "" {
		return usageError(flags, stderr, "missing --data")
	}
	if *network != "" && chain.Networks[*network] == nil {
		return usageError(flags, stderr, "unknown network %q (want %s)", *network, networkNames())
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "postwork chain verify: "+format+"\n", a...)
		return 1
	}
	path := store.Path(*data)
	if _, err := os.Stat(path); err != nil {
		return fail("no store at %s: %v", path, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	name := *network
	if name == "" {
		var err error
		if name, err = store.NetworkOf(ctx, path); err != nil {
			return fail("%v", err)
		}
	}
	p := chain.Networks[name]
	if p == nil {
		return fail("%s holds network %q, which this program does not know", path, name)
	}
	s, err := store.Open(ctx, path, p)
	if err != nil {
		return fail("%v", err)
	}
	defer s.Close()

	res, err := verifyChain(ctx, s, p, time.Now().Unix(), func(height, tip uint64) {
		fmt.Fprintf(stderr, "verified %d of %d blocks\n", height+1, tip+1)
	})
	var prob *chainProblem
	if errors.As(err, &prob) {
		// A node writing the file may have reorganised under the walk;
		// then the heights read no longer form one chain.
		if tip, terr := s.Tip(); terr == nil && tip != res.tip {
			return fail("the best chain changed while it was checked (%v); run it again", prob)
		}
		fmt.Fprintf(stdout, "problem at %v\n", prob)
		return 1
	}
	if err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(stdout, "ok: %d blocks, %d posts, tip %s\n", res.blocks, res.posts, res.tip)
	return 0
}

func networkNames() string {
	var names []string
	for n := range chain.Networks {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// chainProblem is the first thing wrong with a stored chain.
type chainProblem struct {
	height uint64
	hash   chain.Hash // zero when no block could be read at height
	err    error
}

func (p *chainProblem) Error() string {
	if p.hash == (chain.Hash{}) {
		return fmt.Sprintf("height %d: %v", p.height, p.err)
	}
	return fmt.Sprintf("height %d, block %s: %v", p.height, p.hash, p.err)
}

func (p *chainProblem) Unwrap() error { return p.err }

type verifyResult struct {
	blocks, posts int64
	tip           chain.Hash
}

// seenEvents is the chain.EventIndex of the posts verified so far.
type seenEvents map[[32]byte]struct{}

func (s seenEvents) HasEvent(id [32]byte) (bool, error) {
	_, ok := s[id]
	return ok, nil
}

// verifyChain re-validates the stored best chain from genesis. A rule
// violation or a record the store cannot read is a *chainProblem; other
// errors (the context, I/O) are returned as they are. progress is called
// every verifyProgressEvery blocks and at the tip.
func verifyChain(ctx context.Context, s *store.Store, p *chain.Params, now int64, progress func(height, tip uint64)) (verifyResult, error) {
	var res verifyResult
	tipHash, err := s.Tip()
	if err != nil {
		return res, fmt.Errorf("tip: %w", err)
	}
	res.tip = tipHash
	tip, err := s.Block(tipHash)
	if err != nil {
		return res, &chainProblem{hash: tipHash, err: fmt.Errorf("tip: %w", err)}
	}
	top := tip.Header.Height
	seen := seenEvents{}
	var prev *chain.Block
	var times []int64 // the last MedianTimeBlocks block times, newest first
	for h := uint64(0); h <= top; h++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		hash, err := s.BlockHashAt(ctx, h)
		if err != nil {
			return res, &chainProblem{height: h, err: fmt.Errorf("no connected block: %w", err)}
		}
		problem := func(err error) error { return &chainProblem{height: h, hash: hash, err: err} }
		b, err := s.Block(hash)
		if err != nil {
			return res, problem(err)
		}
		if h == 0 {
			if hash != p.GenesisHash() || string(b.Encode()) != string(p.Genesis().Encode()) {
				return res, problem(fmt.Errorf("not the genesis block of network %s (%s)", p.Name, p.GenesisHash()))
			}
		} else {
			if b.Header.Height != h || b.Header.Prev != prev.Hash() {
				return res, problem(fmt.Errorf("header says height %d after %s; the chain has %s at height %d",
					b.Header.Height, b.Header.Prev, prev.Hash(), h-1))
			}
			if err := chain.CheckHeaderSanity(p, &b.Header); err != nil {
				return res, problem(err)
			}
			if err := chain.CheckHeaderContext(p, &b.Header, &prev.Header, times, now); err != nil {
				return res, problem(err)
			}
			if err := chain.CheckBlockSanity(p, b); err != nil {
				return res, problem(err)
			}
			if err := chain.CheckBlockConnect(p, b, seen); err != nil {
				return res, problem(err)
			}
		}
		// The store's post index must agree with the chain: the relay and
		// the API answer from it, and HasEvent (consensus) reads it.
		for i, e := range b.Events {
			rec, err := s.Post(ctx, e.ID)
			switch {
			case err != nil:
				return res, problem(fmt.Errorf("post %d (%x): %w", i, e.ID, err))
			case !rec.Confirmed || rec.BlockHash != hash || rec.Index != i:
				return res, problem(fmt.Errorf("post %d (%x): the store records it in block %s at %d (confirmed %v)",
					i, e.ID, rec.BlockHash, rec.Index, rec.Confirmed))
			case rec.Event.Sig != e.Sig:
				return res, problem(fmt.Errorf("post %d (%x): the store holds another signature than the block", i, e.ID))
			}
			seen[e.ID] = struct{}{}
		}
		res.blocks++
		res.posts += int64(len(b.Events))
		times = append([]int64{b.Header.Time}, times[:min(len(times), chain.MedianTimeBlocks-1)]...)
		prev = b
		if h%verifyProgressEvery == 0 && h > 0 || h == top {
			progress(h, top)
		}
	}
	st, err := s.Stats(ctx)
	if err != nil {
		return res, err
	}
	if st.ConfirmedPosts != res.posts {
		return res, &chainProblem{height: top, hash: tipHash,
			err: fmt.Errorf("the store counts %d confirmed posts, the chain holds %d", st.ConfirmedPosts, res.posts)}
	}
	return res, nil
}
