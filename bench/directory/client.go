package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/atriumhq/atrium/bench/internal/harness"
)

// newClient is an identitystore client for s (see harness.Config).
func newClient(s *server) *identitystore.Client {
	return identitystore.NewFromConfig(harness.Config(s))
}

// userName is the user name of the i-th benchmark user.
func userName(i int) string { return fmt.Sprintf("user%07d", i) }

// createUserInput is the CreateUser request of the i-th user: the four
// required attributes and a primary work email.
func createUserInput(storeID string, i int) *identitystore.CreateUserInput {
	name := userName(i)
	return &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(storeID),
		UserName:        aws.String(name),
		DisplayName:     aws.String("Bench User " + name),
		Name:            &types.Name{GivenName: aws.String("Bench"), FamilyName: aws.String(name)},
		Emails:          []types.Email{{Value: aws.String(name + "@example.com"), Type: aws.String("work"), Primary: true}},
	}
}

// script is the client script: the same calls, in the same order, against
// any identitystore endpoint.
type script struct {
	c       *identitystore.Client
	storeID string
	limit   time.Duration
}

// createUsers creates users first … first+n-1.
func (s script) createUsers(ctx context.Context, first, n, conc int) result {
	return measure(ctx, n, conc, s.limit, func(ctx context.Context, i int) error {
		_, err := s.c.CreateUser(ctx, createUserInput(s.storeID, first+i))
		return err
	})
}

// pick returns the i-th pseudo-random user among the first population;
// the sequence is the same for every target.
func pick(i, population int) int {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	return r.IntN(population)
}

// getUserID looks up n random users among population by user name.
func (s script) getUserID(ctx context.Context, n, conc, population int) result {
	return measure(ctx, n, conc, s.limit, func(ctx context.Context, i int) error {
		_, err := s.c.GetUserId(ctx, &identitystore.GetUserIdInput{
			IdentityStoreId: aws.String(s.storeID),
			AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{
				AttributePath:  aws.String("UserName"),
				AttributeValue: document.NewLazyDocument(userName(pick(i, population))),
			}},
		})
		return err
	})
}

// listUsersByName lists users with a UserName filter on n random users
// among population, and checks that each call finds its user.
func (s script) listUsersByName(ctx context.Context, n, conc, population int) result {
	return measure(ctx, n, conc, s.limit, func(ctx context.Context, i int) error {
		name := userName(pick(i, population))
		out, err := s.c.ListUsers(ctx, &identitystore.ListUsersInput{
			IdentityStoreId: aws.String(s.storeID),
			Filters:         []types.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String(name)}},
		})
		if err == nil && (len(out.Users) != 1 || aws.ToString(out.Users[0].UserName) != name) {
			err = fmt.Errorf("ListUsers(UserName=%s) returned %d users", name, len(out.Users))
		}
		return err
	})
}

// listUsersPage lists the first page of 100 users, n times.
func (s script) listUsersPage(ctx context.Context, n, conc int) result {
	return measure(ctx, n, conc, s.limit, func(ctx context.Context, i int) error {
		out, err := s.c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.storeID), MaxResults: aws.Int32(100)})
		if err == nil && len(out.Users) != 100 {
			err = fmt.Errorf("ListUsers(MaxResults=100) returned %d users", len(out.Users))
		}
		return err
	})
}

// listInstanceStores returns the identity store ids of the instances of
// an Atrium, through sso-admin ListInstances.
func listInstanceStores(ctx context.Context, s *server) ([]string, error) {
	c := ssoadmin.NewFromConfig(harness.Config(s))
	out, err := c.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, in := range out.Instances {
		ids = append(ids, aws.ToString(in.IdentityStoreId))
	}
	return ids, nil
}

func numCPU() int { return runtime.NumCPU() }
