package order

import (
	"context"
	"time"

	"github.com/ovhtui/ovhtui/ovhapi"
)

// API is the set of OVH calls the engine makes, declared where it is
// consumed. ovhapi.OVHClient implements it over go-ovh; tests may substitute
// anything else. Every method takes a context and returns an
// *ovhapi.CallError for an OVH refusal or a transport failure.
type API interface {
	// Availability lists the availability of planCode in dcs
	// (GET /dedicated/server/datacenter/availabilities, unsigned). No match
	// (OVH's 404 "No availabilities found") is an empty result, not an error.
	Availability(ctx context.Context, planCode string, dcs []string) ([]ovhapi.Availability, error)
	// CreateCart creates a cart (POST /order/cart, unsigned). A zero expire
	// leaves OVH's default (one day).
	CreateCart(ctx context.Context, subsidiary string, expire time.Time) (ovhapi.Cart, error)
	// GetCart reads a cart (GET /order/cart/{id}, unsigned).
	GetCart(ctx context.Context, cartID string) (ovhapi.Cart, error)
	// DeleteCart deletes a cart (DELETE /order/cart/{id}, signed: the schema
	// says noAuthentication false).
	DeleteCart(ctx context.Context, cartID string) error
	// AssignCart assigns a cart to the account (POST /order/cart/{id}/assign, signed).
	AssignCart(ctx context.Context, cartID string) error
	// AddEcoItem adds a plan (POST /order/cart/{id}/eco, unsigned).
	AddEcoItem(ctx context.Context, cartID string, req ovhapi.EcoItemRequest) (ovhapi.CartItem, error)
	// AddEcoOption adds an addon to an item (POST /order/cart/{id}/eco/options, unsigned).
	AddEcoOption(ctx context.Context, cartID string, req ovhapi.EcoOptionRequest) (ovhapi.CartItem, error)
	// GetItem reads an item (GET /order/cart/{id}/item/{itemId}, unsigned).
	GetItem(ctx context.Context, cartID string, itemID int64) (ovhapi.CartItem, error)
	// AddConfiguration sets a configuration label on an item
	// (POST /order/cart/{id}/item/{itemId}/configuration, unsigned).
	AddConfiguration(ctx context.Context, cartID string, itemID int64, label, value string) (ovhapi.ItemConfiguration, error)
	// ItemConfigurations lists the configuration labels of an item (unsigned).
	ItemConfigurations(ctx context.Context, cartID string, itemID int64) ([]ovhapi.ItemConfiguration, error)
	// Coupons lists the coupons of a cart (GET /order/cart/{id}/coupon,
	// unsigned: public in the schema).
	Coupons(ctx context.Context, cartID string) ([]string, error)
	// AddCoupon adds a coupon (POST /order/cart/{id}/coupon, unsigned:
	// public in the schema).
	AddCoupon(ctx context.Context, cartID, coupon string) error
	// Summary reads the first invoice of the cart (GET /order/cart/{id}/summary, unsigned).
	Summary(ctx context.Context, cartID string) (ovhapi.CartOrder, error)
	// CheckoutPreview is the dry-run checkout (GET /order/cart/{id}/checkout, signed).
	CheckoutPreview(ctx context.Context, cartID string) (ovhapi.CartOrder, error)
	// Checkout places the order (POST /order/cart/{id}/checkout, signed).
	Checkout(ctx context.Context, cartID string, req ovhapi.CheckoutRequest) (ovhapi.CartOrder, error)
	// MyOrders lists the account's order ids created between from and to
	// (GET /me/order, signed).
	MyOrders(ctx context.Context, from, to time.Time) ([]int64, error)
	// MyOrder reads one order (GET /me/order/{id}, signed).
	MyOrder(ctx context.Context, orderID int64) (ovhapi.MyOrder, error)
	// MyOrderItems lists what an order bought, one OrderItem per detail
	// (plan or option: OVH's details are flat), read from each detail's
	// extension (GET /me/order/{id}/details[/{detailId}/extension], signed).
	MyOrderItems(ctx context.Context, orderID int64) ([]ovhapi.OrderItem, error)
	// ServerTime reads OVH's clock (GET /auth/time, unsigned).
	ServerTime(ctx context.Context) (time.Time, error)
}
